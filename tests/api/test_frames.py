"""POST /frames: a JPEG from any camera or script, analysed by the worker process, bad ones refused."""

from __future__ import annotations

from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from tests.api.conftest import RunningServer
from tests.api.helpers import outbox

pytestmark = pytest.mark.api


def post(server: RunningServer, body: bytes, camera: str = "porch") -> httpx.Response:
    headers = {"authorization": f"Bearer {server.token}"}
    return httpx.post(
        f"{server.url}/frames", params={"camera": camera}, content=body, headers=headers, timeout=60
    )


def test_a_face_frame_becomes_one_sighting(vision_server: RunningServer, face_jpeg: bytes) -> None:
    first = post(vision_server, face_jpeg)
    assert first.status_code == 200, first.text
    assert first.json()["analysed"] is True
    assert len(first.json()["sightings"]) == 1
    # The same face again, a moment later: indexed as pending, so it is the same visit.
    vision_server.clock.advance(seconds=3)
    again = post(vision_server, face_jpeg)
    assert again.json() == {"analysed": True, "sightings": []}
    [email] = outbox(vision_server.url, vision_server.token, "email")
    assert email["subject"].startswith("Visitor at porch")
    status = httpx.get(
        f"{vision_server.url}/status.json", headers={"authorization": f"Bearer {vision_server.token}"}
    ).json()
    assert status["vision"]["pipeline"]["frames"] == 2
    # Both frames reached the core (the second as a match of the pending face); only the first was new.
    assert status["vision"]["pipeline"]["events"] == 2


def test_frames_without_faces_do_nothing(vision_server: RunningServer, testdata: Path) -> None:
    for photo in sorted((testdata / "faces" / "noface").iterdir()):
        image = cv2.imread(str(photo))
        assert image is not None, photo
        ok, jpeg = cv2.imencode(".jpg", image)
        assert ok
        assert post(vision_server, jpeg.tobytes()).json() == {"analysed": True, "sightings": []}
    assert outbox(vision_server.url, vision_server.token) == []


@pytest.mark.parametrize(
    ("body", "camera", "status", "reason"),
    [
        (b"", "porch", 400, "empty"),
        (b"this is no image", "porch", 400, "not a JPEG"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "porch", 400, "corrupt"),
        (b"\xff\xd8\xff", "../etc", 400, "camera must be"),
    ],
)
def test_bad_frames_get_a_clear_error(
    vision_server: RunningServer, body: bytes, camera: str, status: int, reason: str
) -> None:
    response = post(vision_server, body, camera)
    assert response.status_code == status
    assert reason in response.json()["error"]


def test_a_truncated_and_a_huge_frame(vision_server: RunningServer, face_jpeg: bytes) -> None:
    assert "corrupt" in post(vision_server, face_jpeg[: len(face_jpeg) // 3]).json()["error"]
    ok, huge = cv2.imencode(".jpg", np.zeros((4800, 4800, 3), np.uint8))
    assert ok
    response = post(vision_server, huge.tobytes())
    assert response.status_code == 400
    assert "too large" in response.json()["error"]
    too_many_bytes = httpx.post(
        f"{vision_server.url}/frames",
        content=b"\xff\xd8" + b"\x00" * (9 * 1024 * 1024),
        headers={"authorization": f"Bearer {vision_server.token}"},
        timeout=60,
    )
    assert too_many_bytes.status_code == 413
    # Still serving afterwards.
    assert httpx.get(f"{vision_server.url}/healthz").json()["ok"] is True


def test_two_people_in_one_frame_are_two_sightings(vision_server: RunningServer, testdata: Path) -> None:
    two = (testdata / "faces" / "multi" / "fr_two_people.jpg").read_bytes()
    image = cv2.imdecode(np.frombuffer(two, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    # A door camera's frame is 640 px wide; the photo's faces are big enough to find at that size.
    ok, frame = cv2.imencode(".jpg", cv2.resize(image, (640, round(640 * image.shape[0] / image.shape[1]))))
    assert ok
    response = post(vision_server, frame.tobytes(), camera="gate")
    assert response.status_code == 200
    assert len(response.json()["sightings"]) == 2
    assert len(outbox(vision_server.url, vision_server.token, "email")) == 2


@pytest.mark.parametrize("token", [None, "wrong"])
def test_frames_need_the_owner_token(
    vision_server: RunningServer, face_jpeg: bytes, token: str | None
) -> None:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(f"{vision_server.url}/frames", content=face_jpeg, headers=headers, timeout=60)
    assert response.status_code == 401
    assert outbox(vision_server.url, vision_server.token) == []
