"""Real photos: someone the camera saw as a stranger, then enrolled from other photos, is recognised."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest

from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.bootstrap import build_local, build_vision
from smartdoor.config import Settings
from smartdoor.domain.model import SightingStatus
from smartdoor.server.enroll import enroll_from_photos
from tests.api.conftest import START

pytestmark = pytest.mark.integration


def frame(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, path
    return np.asarray(image, dtype=np.uint8)


def test_enrolled_after_a_stranger_sighting_the_next_frame_sends_a_passcode(
    tmp_path: Path, testdata: Path
) -> None:
    obama = testdata / "faces" / "faces" / "obama"
    clock = ManualClock(START)
    settings = Settings(data_dir=tmp_path / "data")
    server = build_local(settings, clock=clock)
    vision = build_vision(server, [], inline=True)
    try:
        # GIVEN the camera saw Obama as a stranger
        [stranger] = vision.pipeline.process("door", frame(obama / "fr_obama.jpg"), clock.now())
        assert stranger.status is SightingStatus.PENDING
        # WHEN the owner enrols him from two other photos (`smartdoor enroll`: another process, same data)
        clock.advance(minutes=1)
        enroller = build_local(settings, clock=clock)
        out = io.StringIO()
        try:
            code = enroll_from_photos(
                enroller, "Barack", "+12025550123", [obama / "fr_obama2.jpg", obama / "fr_obama3.jpg"], out
            )
        finally:
            enroller.close()
        assert code == 0
        assert f"saw Barack as a stranger at door (sighting {stranger.id})" in out.getvalue()
        resolved = server.door.sightings.get(stranger.id)
        assert resolved is not None
        assert resolved.status is SightingStatus.REGISTERED
        # THEN his next frame at the door is a returning visitor's, and he gets a passcode by SMS
        clock.advance(minutes=1)
        [back] = vision.pipeline.process("door", frame(obama / "fr_knn_obama1.jpg"), clock.now())
        assert back.status is SightingStatus.KNOWN
        assert back.visitor_id == resolved.visitor_id
        assert [m.recipient for m in server.outbox.list(10, "sms")] == ["+12025550123"]
    finally:
        vision.stop()
        server.close()
