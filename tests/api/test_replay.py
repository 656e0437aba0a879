"""`smartdoor replay` against a real server: records, lists, a Kinesis event with a poison record, garbage."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from smartdoor.server.cli import main
from smartdoor.server.replay import replay
from tests.api.conftest import RunningServer
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
