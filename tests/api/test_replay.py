"""`smartdoor replay` against a real server: records, lists, a Kinesis event with a poison record, garbage."""

from __future__ import annotations

import base64
import io
import json
from datetime import timedelta
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.server.cli import main
from smartdoor.server.replay import replay
from tests.api.conftest import START, RunningServer
from tests.api.helpers import EVENTS, outbox

pytestmark = pytest.mark.api


def test_a_kinesis_event_with_a_poison_record(server: RunningServer) -> None:
    out = io.StringIO()
    code = replay(server.url, server.token, "porch", [EVENTS / "kinesis_event_with_poison.json"], None, out)
    lines = out.getvalue().splitlines()
    assert code == 1  # one record was skipped: say so in the exit status
    assert len(lines) == 3
    assert "Records[1]: skipped, not a face-search record" in lines[1]
    assert all('"sightings"' in line for line in (lines[0], lines[2]))


def test_one_record_a_list_and_a_frame(server: RunningServer, tmp_path: Path, face_jpeg: bytes) -> None:
    batch = tmp_path / "batch.json"
    record = json.loads((EVENTS / "unknown_face.json").read_text())
    batch.write_text(json.dumps([record, json.loads((EVENTS / "no_faces.json").read_text())]))
    out = io.StringIO()
    assert replay(server.url, server.token, "porch", [batch], face_jpeg, out) == 0
    assert '"status":"PENDING"' in out.getvalue()
    assert outbox(server.url, server.token, "email")[0]["images"] == ["visitor-photo"]


def test_garbage_files_and_a_dead_server(server: RunningServer, tmp_path: Path) -> None:
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not json at all")
    out = io.StringIO()
    assert replay(server.url, server.token, "porch", [garbage, tmp_path / "missing.json"], None, out) == 1
    assert out.getvalue().count("skipped, not a JSON file") == 2
    dead = io.StringIO()
    assert (
        replay("http://127.0.0.1:9", server.token, "porch", [EVENTS / "unknown_face.json"], None, dead) == 2
    )
    assert "Is `smartdoor serve` running?" in dead.getvalue()


def test_files_no_json_reader_should_take_are_skipped_with_a_reason(
    server: RunningServer, tmp_path: Path
) -> None:
    # GIVEN files that would crash a plain json.loads (nesting past the recursion limit) or hold what no
    # record may (invalid UTF-8, a lone surrogate), and a Kinesis event whose record data is nested too deep
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b'{"a": "\xff"}')
    surrogate = tmp_path / "surrogate.json"
    surrogate.write_text('{"FaceSearchResponse": [], "id": "\\ud800"}')
    nested = base64.b64encode(("[" * 5_000 + "]" * 5_000).encode()).decode()
    kinesis = tmp_path / "kinesis.json"
    kinesis.write_text(json.dumps({"Records": [{"kinesis": {"data": nested}}]}))
    out = io.StringIO()
    # WHEN they are replayed THEN each is skipped with the decoder's reason, and the exit status says so
    assert replay(server.url, server.token, "porch", [deep, binary, surrogate, kinesis], None, out) == 1
    lines = out.getvalue().splitlines()
    assert len(lines) == 4, lines
    assert "nested deeper than 32 levels" in lines[0]
    assert "not UTF-8" in lines[1]
    assert "lone surrogate" in lines[2]
    assert "Records[0]: skipped, not a face-search record" in lines[3]
    assert "nested deeper" in lines[3]


def test_the_command_reads_the_token_from_the_data_folder(server: RunningServer) -> None:
    args = [
        "replay",
        str(EVENTS / "no_faces.json"),
        "--server",
        server.url,
        "--data-dir",
        str(server.data_dir),
    ]
    assert main(args) == 0


def faces_in(jpeg: bytes) -> int:
    """How many faces dlib finds in a stored photo (the face photo must show a face, not a chin or a tie)."""
    from smartdoor.vision.analyser import FaceAnalyser
    from smartdoor.vision.frames import decode_jpeg

    rgb = np.ascontiguousarray(cv2.cvtColor(decode_jpeg(jpeg), cv2.COLOR_BGR2RGB))
    return len(FaceAnalyser().detect_in_photo(rgb))


def test_a_replayed_frame_is_analysed_and_stamped_with_the_replay_time(
    server: RunningServer, testdata: Path
) -> None:
    # GIVEN an old record (2025) and an unrelated photo of someone, replayed an hour into the test's day
    frame = (testdata / "faces" / "faces" / "biden" / "fr_biden.jpg").read_bytes()
    replay_time = START + timedelta(hours=1)
    out = io.StringIO()
    code = replay(
        server.url,
        server.token,
        "porch",
        [EVENTS / "unknown_face.json"],
        frame,
        out,
        clock=ManualClock(replay_time),
        new_id=lambda: "replay-1",
    )
    assert code == 0, out.getvalue()
    # THEN the sighting is of the face found in the photo, at the time of the replay
    [sighting] = server.door.door.sightings.list(None, 10, None).items
    assert sighting.created_at == replay_time
    assert sighting.face_photo is not None
    face_photo = httpx.get(server.door.photos.url(sighting.face_photo), timeout=10)
    assert faces_in(face_photo.content) == 1
    [email] = outbox(server.url, server.token, "email")
    assert "2026-11-23 13:00:00 UTC" in email["text"]
    assert "2025" not in email["text"]  # the record's own date


def test_a_frame_without_a_face_is_refused(server: RunningServer, testdata: Path) -> None:
    out = io.StringIO()
    frame = (testdata / "faces" / "noface" / "sk_rocket.jpg").read_bytes()
    code = replay(server.url, server.token, "porch", [EVENTS / "unknown_face.json"], frame, out)
    assert code == 1
    assert "no face in the frame" in out.getvalue()
    assert server.door.door.sightings.list(None, 10, None).items == ()


def test_a_frame_with_two_faces_uses_the_largest_and_says_so(server: RunningServer, testdata: Path) -> None:
    out = io.StringIO()
    frame = (testdata / "faces" / "multi" / "fr_two_people.jpg").read_bytes()
    code = replay(server.url, server.token, "porch", [EVENTS / "unknown_face.json"], frame, out)
    assert code == 0, out.getvalue()
    assert "2 faces in the frame: using the largest" in out.getvalue()
    assert len(server.door.door.sightings.list(None, 10, None).items) == 1


def test_a_record_of_two_faces_cannot_take_one_frame(server: RunningServer, face_jpeg: bytes) -> None:
    out = io.StringIO()
    assert replay(server.url, server.token, "porch", [EVENTS / "two_faces.json"], face_jpeg, out) == 1
    assert "it has 2 faces and --frame stands for one" in out.getvalue()
