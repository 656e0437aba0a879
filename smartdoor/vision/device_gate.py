"""The gate on real frames: the local pipeline's own detector and sharpness filter in front of NewFaceGate."""

from __future__ import annotations

from typing import Protocol

import cv2
import numpy as np

from smartdoor.vision.analyser import AnalyserSettings, FaceAnalyser, FaceBox, Image
from smartdoor.vision.new_face_gate import GateDecision, NewFaceGate
from smartdoor.vision.sources import Frame


class FaceDetector(Protocol):
    """What the gate needs of FaceAnalyser (a test's detector scripts the boxes)."""

    @property
    def settings(self) -> AnalyserSettings: ...
    def detect(self, rgb: Image) -> list[FaceBox]: ...
    def sharpness(self, rgb: Image, box: FaceBox) -> float: ...


class FrameGate:
    def __init__(self, gate: NewFaceGate | None = None, analyser: FaceDetector | None = None) -> None:
        self.gate = gate or NewFaceGate()
        self._analyser = analyser

    def decide(self, frame_bgr: Frame, at: float) -> GateDecision:
        if self._analyser is None:  # dlib's models load in ~0.3 s: on the first frame, not at start
            self._analyser = FaceAnalyser(AnalyserSettings())
        analyser = self._analyser
        rgb = np.ascontiguousarray(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        boxes = analyser.detect(rgb)
        minimum = analyser.settings.min_sharpness
        return self.gate.decide(boxes, at, lambda box: analyser.sharpness(rgb, box) >= minimum)


# A 640x480 door frame at quality 85 is ~50-80 kB; lower qualities are for big frames against a small grant.
JPEG_QUALITIES = (85, 75, 60, 45)


def jpeg_within(frame_bgr: Frame, max_bytes: int) -> bytes | None:
    """The frame as a JPEG of at most ``max_bytes``, at the best quality that fits; None if none does."""
    for quality in JPEG_QUALITIES:
        ok, encoded = cv2.imencode(".jpg", frame_bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok and encoded.size <= max_bytes:
            return bytes(encoded.tobytes())
    return None
