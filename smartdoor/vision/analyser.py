"""Find faces in a frame and describe them: HOG on a downscaled frame, filters, 5-point alignment, 128-d."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import dlib
import numpy as np
import numpy.typing as npt

from smartdoor.vision.dlib_models import load_models

Image = npt.NDArray[Any]  # RGB uint8, H x W x 3 (loosely typed: OpenCV returns generic arrays)
Descriptor = npt.NDArray[np.float32]  # 128 values


@dataclass(frozen=True)
class FaceBox:
    """A face's box in full-frame pixels and the detector's confidence."""

    left: int
    top: int
    right: int
    bottom: int
    score: float

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def iou(self, other: FaceBox) -> float:
        w = min(self.right, other.right) - max(self.left, other.left)
        h = min(self.bottom, other.bottom) - max(self.top, other.top)
        if w <= 0 or h <= 0:
            return 0.0
        inter = w * h
        return inter / (self.width * self.height + other.width * other.height - inter)


@dataclass(frozen=True)
class AnalyserSettings:
    # 480 px wide at upsample 0 finds every face of door.mp4 (≥ ~107 px in 640x480) in 16 ms a frame,
    # against 28 ms at full size (bench/README.md); smaller faces need the photo mode below.
    detect_width: int = 480
    upsample: int = 0
    min_score: float = 0.3  # a false hit on a badge scored 0.2, real faces 1.0+ (NOTES.md)
    min_face_px: int = 60  # in full-frame pixels: smaller faces make unreliable descriptors
    min_sharpness: float = 15.0  # variance of the Laplacian on the face at 100 px: below it, motion blur


class FaceAnalyser:
    """Stateless apart from the models; one per process."""

    def __init__(self, settings: AnalyserSettings | None = None) -> None:
        self.settings = settings or AnalyserSettings()
        self.models = load_models()

    def detect(self, rgb: Image) -> list[FaceBox]:
        """Faces in a camera frame, fast: detection on a downscaled copy, boxes scaled back."""
        s = self.settings
        height, width = rgb.shape[:2]
        scale = min(1.0, s.detect_width / width)
        small = (
            rgb if scale == 1.0 else cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        )
        return self._run(small, s.upsample, 1.0 / scale, (width, height))

    def detect_in_photo(self, rgb: Image) -> list[FaceBox]:
        """Faces in a still photo, thoroughly: upsample 1 finds ~40 px faces; huge photos are shrunk first."""
        height, width = rgb.shape[:2]
        scale = min(1.0, 2000 / max(width, height))
        img = rgb if scale == 1.0 else cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        return self._run(img, 1, 1.0 / scale, (width, height), min_face_px=20)

    def _run(
        self,
        img: npt.NDArray[Any],
        upsample: int,
        back: float,
        size: tuple[int, int],
        min_face_px: int | None = None,
    ) -> list[FaceBox]:
        rects, scores, _ = self.models.detector.run(img, upsample, 0)
        width, height = size
        minimum = self.settings.min_face_px if min_face_px is None else min_face_px
        boxes = []
        for rect, score in zip(rects, scores, strict=True):
            box = FaceBox(
                left=max(0, round(rect.left() * back)),
                top=max(0, round(rect.top() * back)),
                right=min(width, round(rect.right() * back)),
                bottom=min(height, round(rect.bottom() * back)),
                score=float(score),
            )
            if score >= self.settings.min_score and min(box.width, box.height) >= minimum:
                boxes.append(box)
        return boxes

    def sharpness(self, rgb: Image, box: FaceBox) -> float:
        """Variance of the Laplacian on the face scaled to 100 px: low means blurred."""
        crop = rgb[box.top : box.bottom, box.left : box.right]
        if crop.size == 0:
            return 0.0
        gray = cv2.cvtColor(cv2.resize(crop, (100, 100), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
        return float(cv2.Laplacian(gray, cv2.CV_64F).var())

    def describe(self, rgb: Image, box: FaceBox) -> Descriptor:
        """The 128-d descriptor of one face (the expensive step: ~90 ms)."""
        rect = dlib.rectangle(box.left, box.top, box.right, box.bottom)
        shape = self.models.landmarks(rgb, rect)
        return np.asarray(self.models.encoder.compute_face_descriptor(rgb, shape), dtype=np.float32)
