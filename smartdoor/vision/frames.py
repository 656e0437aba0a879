"""Frames pushed over HTTP (the browser camera page, scripts): checked, decoded, analysed, or dropped."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import cv2
import numpy as np

from smartdoor.vision.pipeline import FacePipeline
from smartdoor.vision.sources import Frame

MAX_PIXELS = 4096 * 4096  # a bigger "frame" is no camera's; refuse it before decoding
CAMERA_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
# A camera that posts frames (the browser camera page, a script) and has sent none for this long is idle.
IDLE_AFTER = timedelta(seconds=10)


class BadFrame(Exception):
    """The body is not a usable image; the message says why."""


@dataclass
class PushedCamera:
    """A camera known only by the frames it posts: no stream to open, so its state is how recently it sent."""

    camera_id: str
    frames_read: int = 0
    last_frame_at: datetime | None = None


@dataclass(frozen=True)
class FrameOutcome:
    analysed: bool  # False: the camera was busy with an earlier frame, this one was dropped
    sightings: tuple[str, ...] = ()


def check_camera_id(camera_id: str) -> str:
    if not camera_id or len(camera_id) > 64 or not set(camera_id) <= CAMERA_ID_CHARS:
        raise BadFrame("camera must be 1-64 letters, digits, '-', '_' or '.'")
    return camera_id


def decode_jpeg(body: bytes) -> Frame:
    if not body:
        raise BadFrame("the body is empty: send the frame as a JPEG")
    if not (body.startswith(b"\xff\xd8") or body.startswith(b"\x89PNG")):
        raise BadFrame("the body is not a JPEG or PNG image")
    header = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_8)
    if header is None:
        raise BadFrame("the image is corrupt or truncated")
    if header.shape[0] * header.shape[1] * 64 > MAX_PIXELS:
        raise BadFrame("the image is too large: at most 4096 x 4096 pixels")
    frame = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR)
    if frame is None:
        raise BadFrame("the image is corrupt or truncated")
    return np.asarray(frame, dtype=np.uint8)


class FrameInbox:
    """One frame per camera in analysis at a time; a frame that arrives meanwhile is dropped, not queued."""

    def __init__(self, pipeline: FacePipeline, now: Callable[[], datetime]) -> None:
        self.pipeline = pipeline
        self._now = now
        self._busy: dict[str, threading.Lock] = {}
        self._cameras: dict[str, PushedCamera] = {}
        self._guard = threading.Lock()

    def submit(self, camera_id: str, body: bytes) -> FrameOutcome:
        camera_id = check_camera_id(camera_id)
        frame = decode_jpeg(body)
        now = self._now()
        with self._guard:
            lock = self._busy.setdefault(camera_id, threading.Lock())
            camera = self._cameras.setdefault(camera_id, PushedCamera(camera_id))
            camera.frames_read += 1
            camera.last_frame_at = now
        if not lock.acquire(blocking=False):
            self.pipeline.stats.add(dropped=1)
            return FrameOutcome(analysed=False)
        try:
            created = self.pipeline.process(camera_id, frame, now)
        finally:
            lock.release()
        return FrameOutcome(True, tuple(s.id for s in created))

    def statuses(self) -> list[dict[str, Any]]:
        """The cameras that posted frames, in the shape of a CameraRunner's status, for the console."""
        now = self._now()
        with self._guard:
            cameras = sorted(self._cameras.values(), key=lambda c: c.camera_id)
            return [
                {
                    "camera_id": c.camera_id,
                    "source": "frames posted to /frames",
                    "state": "idle"
                    if c.last_frame_at is None or now - c.last_frame_at > IDLE_AFTER
                    else "running",
                    "error": None,
                    "frames_read": c.frames_read,
                    "retries": 0,
                }
                for c in cameras
            ]
