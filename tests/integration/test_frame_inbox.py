"""Cameras that post frames (the browser camera page, scripts) show in the status like configured ones."""

from __future__ import annotations

from typing import cast

import cv2
import numpy as np
import pytest

from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.vision.frames import BadFrame, FrameInbox
from smartdoor.vision.pipeline import FacePipeline
from tests.integration.test_cameras import RecordingPipeline

pytestmark = pytest.mark.integration


def _jpeg() -> bytes:
    ok, data = cv2.imencode(".jpg", np.zeros((32, 32, 3), np.uint8))
    assert ok
    return data.tobytes()


def test_a_posting_camera_is_listed_running_then_idle(clock: ManualClock) -> None:
    inbox = FrameInbox(cast(FacePipeline, RecordingPipeline()), clock.now)
    assert inbox.statuses() == []
    inbox.submit("browser", _jpeg())
    inbox.submit("browser", _jpeg())
    [browser] = inbox.statuses()
    assert browser == {
        "camera_id": "browser",
        "source": "frames posted to /frames",
        "state": "running",
        "error": None,
        "frames_read": 2,
        "retries": 0,
    }
    clock.advance(seconds=11)
    assert [s["state"] for s in inbox.statuses()] == ["idle"]


def test_bad_frames_do_not_list_a_camera(clock: ManualClock) -> None:
    inbox = FrameInbox(cast(FacePipeline, RecordingPipeline()), clock.now)
    with pytest.raises(BadFrame, match="not a JPEG"):
        inbox.submit("browser", b"hello")
    assert inbox.statuses() == []
