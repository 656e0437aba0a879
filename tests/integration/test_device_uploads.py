"""`smartdoor device` against a real HTTP stand-in for the API on 127.0.0.1, the door video as its camera:
only the frame where a face track begins goes, as the contract's multipart POST; retries, FORBIDDEN, secrets.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from smartdoor.server import device_command
from smartdoor.server.cli import parser
from tests.integration.frame_upload_server import FrameUploadServer, Part, running
from tests.video_frames import frames_of

pytestmark = pytest.mark.integration

TOKEN = "device-token-3f9c2a7e51"
API_KEY = "da2-apikeyvalue0123456789"
FACE_FRAMES = (range(20, 50), range(60, 90))  # door_truth.csv: Obama 20-49, Biden 60-89; no face elsewhere


@pytest.fixture
def server() -> Iterator[FrameUploadServer]:
    with running(FrameUploadServer()) as s:
        yield s


@pytest.fixture(scope="module")
def video_frames(testdata: Path) -> list[np.ndarray]:
    frames = list(frames_of(testdata / "faces" / "door.mp4"))
    assert len(frames) == 100
    return frames


@pytest.fixture
def one_face_clip(video_frames: list[np.ndarray], tmp_path: Path) -> Path:
    """Frames 0-59 of the door video: empty door, Obama arrives and stays, empty door."""
    path = tmp_path / "one_face.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10.0, (640, 480))
    for frame in video_frames[:60]:
        writer.write(frame)
    writer.release()
    return path


def args(server: FrameUploadServer, source: Path, *extra: str) -> argparse.Namespace:
    return parser().parse_args(
        ["device", "--api", f"{server.url}/graphql", "--camera-id", "door", "--source", str(source), *extra]
    )


def run(server: FrameUploadServer, source: Path, *extra: str, env: dict[str, str] | None = None) -> int:
    return device_command.run(
        args(server, source, *extra), {"SMARTDOOR_DEVICE_TOKEN": TOKEN} if env is None else env
    )


def nearest_frame(jpeg: bytes, frames: list[np.ndarray]) -> int:
    """Which video frame an upload is (a JPEG differs from its own frame far less than from the others)."""
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "the upload is not a JPEG that decodes"
    assert image.shape == (480, 640, 3)
    diffs = [float(np.mean(cv2.absdiff(image, frame))) for frame in frames]
    return int(np.argmin(diffs))


def file_part(parts: list[Part]) -> Part:
    return next(p for p in parts if p.name == "file")


@pytest.mark.parametrize("fields_as_text", [True, False], ids=["AWSJSON-text", "JSON-object"])
def test_one_face_arriving_is_one_upload_of_the_granted_fields_then_the_jpeg(
    server: FrameUploadServer,
    one_face_clip: Path,
    video_frames: list[np.ndarray],
    fields_as_text: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.fields_as_text = fields_as_text
    # WHEN the device watches the empty door, Obama's arrival and the empty door again
    assert run(server, one_face_clip) == 0
    # THEN one grant was asked for, for camera door with the device's token, and one frame was uploaded
    [(headers, body)] = server.graphql_requests
    assert "requestFrameUpload" in body["query"]
    assert body["variables"]["cameraId"] == "door"
    assert body["variables"]["deviceToken"] == TOKEN
    assert body["variables"]["takenAt"].endswith("Z")
    assert "x-api-key" not in headers  # none given: none sent (the local server needs none)
    [parts] = server.uploads
    # Every granted field first, in the grant's order and unchanged, then the JPEG as `file`.
    granted = server.fields("frames/door/1764590400000-" + f"{1:032x}.jpg")
    assert [p.name for p in parts] == [*granted, "file"]
    assert [p.value.decode() for p in parts[:-1]] == list(granted.values())
    assert parts[-1].content_type == "image/jpeg"
    assert nearest_frame(parts[-1].value, video_frames) in FACE_FRAMES[0]
    out = capsys.readouterr().out
    assert "stopped: frames 60, tracks 1, sent 1, refused 0, dropped 0, failed 0" in out


def test_the_door_video_sends_one_frame_per_visitor_and_none_without_a_face(
    server: FrameUploadServer,
    testdata: Path,
    video_frames: list[np.ndarray],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(server, testdata / "faces" / "door.mp4") == 0
    # Obama, then (ten empty frames later: past the tracker's forget time) Biden: two tracks, two frames.
    sent = [nearest_frame(file_part(parts).value, video_frames) for parts in server.uploads]
    assert len(sent) == 2
    assert sent[0] in FACE_FRAMES[0]
    assert sent[1] in FACE_FRAMES[1]
    status = capsys.readouterr().out.strip().splitlines()[-1]
    assert status.startswith("stopped: frames 100, tracks 2, sent 2, refused 0, dropped 0, failed 0")
    # The other 98 frames were each kept back for a reason, and counted: 40 without anyone at the door.
    kept = dict(item.rsplit(" ", 1) for item in status.split("kept back: ")[1].split(", "))
    assert int(kept["no face"]) >= 40
    assert sum(int(n) for n in kept.values()) == 98


def test_a_5xx_from_the_upload_then_204_sends_the_frame_once_after_a_retry(
    server: FrameUploadServer, one_face_clip: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.upload_script = [503, 204]
    assert run(server, one_face_clip) == 0
    assert len(server.upload_attempts) == 2
    assert len(server.uploads) == 1
    assert file_part(server.uploads[0]).value == file_part(server.upload_attempts[0]).value
    assert len(server.graphql_requests) == 1  # the grant was still good: the same one was used again
    out = capsys.readouterr().out
    assert "the upload answered HTTP 503; retrying in" in out
    assert "sent 1, refused 0" in out


def test_a_refused_upload_is_not_retried(
    server: FrameUploadServer, one_face_clip: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.upload_script = [413]
    assert run(server, one_face_clip) == 0
    assert (len(server.upload_attempts), len(server.uploads)) == (1, 0)
    assert "sent 0, refused 1" in capsys.readouterr().out.splitlines()[-1]


@pytest.mark.parametrize(
    "bad",
    [
        {
            "message": "takenAt is too far from now",
            "extensions": {"code": "BAD_USER_INPUT", "field": "takenAt"},
        },
        {
            "errorType": "BAD_USER_INPUT",
            "errorInfo": {"field": "takenAt"},
            "message": "takenAt is too far from now",
        },
    ],
    ids=["local", "appsync"],
)
def test_a_grant_refused_as_bad_input_is_not_retried(
    server: FrameUploadServer, one_face_clip: Path, capsys: pytest.CaptureFixture[str], bad: dict[str, object]
) -> None:
    server.graphql_script = [{"data": None, "errors": [bad]}]
    assert run(server, one_face_clip) == 0
    assert (len(server.graphql_requests), len(server.upload_attempts)) == (1, 0)
    out = capsys.readouterr().out
    assert "a frame was refused: the API refused the request (takenAt): takenAt is too far from now" in out
    assert "sent 0, refused 1" in out.splitlines()[-1]


@pytest.mark.parametrize(
    "limited",
    [
        {"message": "too many frames", "extensions": {"code": "RATE_LIMITED", "retryAfter": 0}},
        {"errorType": "RATE_LIMITED", "message": "too many frames: try again in 0 s"},
    ],
    ids=["local", "appsync"],
)
def test_rate_limited_waits_and_goes_on(
    server: FrameUploadServer, one_face_clip: Path, limited: dict[str, object]
) -> None:
    server.graphql_script = [{"data": None, "errors": [limited]}]
    assert run(server, one_face_clip) == 0
    assert len(server.graphql_requests) == 2
    assert len(server.uploads) == 1


def test_forbidden_stops_the_command_with_one_line_and_exit_2(
    server: FrameUploadServer, one_face_clip: Path
) -> None:
    forbidden = {"data": None, "errors": [{"message": "Forbidden", "extensions": {"code": "FORBIDDEN"}}]}
    server.graphql_script = [forbidden]
    env = {**os.environ, "SMARTDOOR_DEVICE_TOKEN": TOKEN, "SMARTDOOR_API_KEY": API_KEY}
    command = [sys.executable, "-m", "smartdoor.server.cli", "device", "--api", f"{server.url}/graphql"]
    done = subprocess.run(
        [*command, "--camera-id", "door", "--source", str(one_face_clip)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "smartdoor device: the API refused the device token for camera door; stopping"
    )
    assert server.uploads == []
    [(headers, body)] = server.graphql_requests
    assert headers["x-api-key"] == API_KEY  # from the environment, as the token
    assert body["variables"]["deviceToken"] == TOKEN
    assert TOKEN not in done.stdout + done.stderr
    assert API_KEY not in done.stdout + done.stderr


def test_the_token_and_the_api_key_never_reach_the_logs_or_the_output(
    server: FrameUploadServer,
    one_face_clip: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN every logger at DEBUG (httpx and httpcore log each request then) and a run that meets a
    # rate limit, a bad-input refusal, a 5xx and a success
    caplog.set_level(logging.DEBUG)
    server.graphql_script = [
        {
            "data": None,
            "errors": [{"message": "slow down", "extensions": {"code": "RATE_LIMITED", "retryAfter": 0}}],
        },
    ]
    server.upload_script = [500, 204]
    assert run(server, one_face_clip, "--api-key", API_KEY, env={"SMARTDOOR_DEVICE_TOKEN": TOKEN}) == 0
    assert len(server.uploads) == 1
    assert server.graphql_requests[-1][0]["x-api-key"] == API_KEY
    # THEN neither secret was written anywhere a person or a log collector reads
    captured = capsys.readouterr()
    for text in (caplog.text, captured.out, captured.err):
        assert TOKEN not in text
        assert API_KEY not in text
    assert any(r.name.startswith("httpcore") for r in caplog.records)  # the logs were really on


def test_without_a_token_the_command_says_where_to_put_it(
    server: FrameUploadServer, one_face_clip: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(server, one_face_clip, env={}) == 2
    assert "SMARTDOOR_DEVICE_TOKEN" in capsys.readouterr().err
    assert server.graphql_requests == []


def test_sigterm_stops_the_device_cleanly_after_the_upload_under_way(testdata: Path) -> None:
    with running(FrameUploadServer(), hold=True) as server:
        env = {**os.environ, "SMARTDOOR_DEVICE_TOKEN": TOKEN}
        command = [sys.executable, "-m", "smartdoor.server.cli", "device", "--api", f"{server.url}/graphql"]
        source = str(testdata / "faces" / "door.mp4")
        process = subprocess.Popen(
            [*command, "--camera-id", "door", "--source", source],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            # GIVEN the device in the middle of asking for its first grant
            assert server.asked.wait(60), "the device never asked for a grant"
            # WHEN it is sent SIGTERM, and then the grant arrives
            process.terminate()
            server.hold.set()
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=10)
    # THEN it finished that upload and stopped on its own, saying so, with exit status 0
    assert process.returncode == 0, err
    assert len(server.uploads) == 1
    assert out.strip().splitlines()[-1].startswith("stopped: ")
