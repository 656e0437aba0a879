"""`smartdoor device` end to end, as a newcomer runs it: `smartdoor serve` on 127.0.0.1, a token from
`smartdoor device-token`, and the installed `smartdoor device` sending the door video's frames through
requestFrameUpload and POST /frames. Every process is a real one; the clocks are the machine's.

The video (../shared/testdata/faces/door.mp4): an empty door, Obama (frames 20-49), empty, Biden (60-89).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.helpers import outbox
from tests.waiting import Output

pytestmark = pytest.mark.api

SMARTDOOR = str(Path(sys.executable).with_name("smartdoor"))  # the installed command
CAMERA = "door"
DEVICE_BOUND = 180.0  # seconds: 100 frames through the gate and two uploads take a few


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the developer's SMARTDOOR_ settings, plus ``extra``."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SMARTDOOR_")} | extra


@dataclass
class Door:
    base: str
    owner_token: str
    data_dir: Path

    def sightings(self) -> list[tuple[str, str, str | None]]:
        """(status, camera, visitor id) of every sighting, newest first."""
        query = "{ sightings { items { id status cameraId visitorId } } }"
        items = self.owner(query, {})["sightings"]["items"]
        return [(s["status"], s["cameraId"], s["visitorId"]) for s in items]

    def owner(self, document: str, variables: dict[str, Any]) -> Any:
        response = httpx.post(
            f"{self.base}/graphql",
            json={"query": document, "variables": variables},
            headers={"authorization": f"Bearer {self.owner_token}"},
            timeout=30,
        )
        answer = response.json()
        assert "errors" not in answer, answer
        return answer["data"]

    def emails(self) -> list[str]:
        return [m["to"] for m in outbox(self.base, self.owner_token, "email")]


@pytest.fixture
def door(tmp_path: Path) -> Iterator[Door]:
    data_dir = tmp_path / "data"
    process = subprocess.Popen(
        [SMARTDOOR, "serve", "--port", "0", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Two SMS a minute: the registration's and the returning visit's, whichever calendar minute it is.
        env=clean_env(SMARTDOOR_SMS_PER_MINUTE="2"),
        cwd=tmp_path,
    )
    assert process.stdout is not None
    output = Output(process.stdout)
    try:
        banner = output.wait_for("Owner console", "Application startup complete")
        found = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=(\S+)", banner)
        assert found, banner
        yield Door(found.group(1), found.group(2), data_dir)
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
        rest = output.all()
        assert code == 0, rest
        assert "Traceback" not in rest, rest


def device_token(door: Door, camera: str = CAMERA) -> str:
    issued = subprocess.run(
        [SMARTDOOR, "device-token", camera, "--data-dir", str(door.data_dir)],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=True,
    )
    return issued.stdout.strip()


def run_device(door: Door, token: str, video: Path) -> subprocess.CompletedProcess[str]:
    # The token from the environment, as the README advises: it stays out of the process list.
    return subprocess.run(
        [SMARTDOOR, "device", "--api", f"{door.base}/graphql", "--camera-id", CAMERA, "--source", str(video)],
        capture_output=True,
        text=True,
        env=clean_env(SMARTDOOR_DEVICE_TOKEN=token),
        timeout=DEVICE_BOUND,
    )


@pytest.fixture
def video(testdata: Path) -> Path:
    return testdata / "faces" / "door.mp4"


def test_the_video_s_visitors_become_one_pending_sighting_each_and_come_back_as_the_rules_say(
    door: Door, video: Path
) -> None:
    token = device_token(door)

    # WHEN the device watches the video
    first = run_device(door, token, video)

    # THEN it sent one frame per visitor, and each is a pending stranger the owner was emailed about
    assert first.returncode == 0, first.stderr
    assert "stopped: frames 100, tracks 2, sent 2, refused 0, dropped 0, failed 0" in first.stdout
    assert token not in first.stdout + first.stderr
    assert door.sightings() == [("PENDING", CAMERA, None), ("PENDING", CAMERA, None)]
    assert door.emails() == ["owner@localhost", "owner@localhost"]

    # WHEN the same two come again: faces already pending, so nothing new (one sighting per visit)
    second = run_device(door, token, video)
    assert second.returncode == 0, second.stderr
    assert "sent 2, refused 0" in second.stdout
    assert door.sightings() == [("PENDING", CAMERA, None), ("PENDING", CAMERA, None)]
    assert len(door.emails()) == 2

    # WHEN the owner registers the first of them (Obama) and the video runs once more
    obama = door.owner("{ sightings { items { id } } }", {})["sightings"]["items"][-1]["id"]
    register = "mutation($i: RegisterVisitorInput!) { registerVisitor(input: $i) { visitor { id } } }"
    variables = {"i": {"sightingId": obama, "name": "Barack", "phoneNumber": "+12025550100"}}
    visitor = door.owner(register, variables)["registerVisitor"]["visitor"]["id"]
    third = run_device(door, token, video)

    # THEN he is known at the door (a KNOWN sighting of his, a passcode), and Biden is still pending
    assert third.returncode == 0, third.stderr
    assert door.sightings() == [
        ("KNOWN", CAMERA, visitor),
        ("PENDING", CAMERA, None),
        ("REGISTERED", CAMERA, visitor),
    ]
    assert len(door.emails()) == 2
    texts = outbox(door.base, door.owner_token, "sms")
    assert [m["to"] for m in texts] == ["+12025550100", "+12025550100"]  # registration, then the visit


def test_a_forged_token_stops_the_device_with_status_2_and_records_nothing(door: Door, video: Path) -> None:
    genuine = device_token(door)
    forged = genuine[:-8] + ("A" * 8 if not genuine.endswith("A" * 8) else "B" * 8)
    other_camera = device_token(door, "back-door")

    for token in (forged, other_camera):
        refused = run_device(door, token, video)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert f"the API refused the device token for camera {CAMERA}; stopping" in refused.stderr
        assert token not in refused.stdout + refused.stderr

    assert door.sightings() == []
    assert outbox(door.base, door.owner_token) == []
