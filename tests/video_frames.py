"""The frames of a video file as OpenCV decodes them (BGR), for the tests and benchmarks that play the door
video: one reader, so each plays exactly the frames the others do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np


def frames_of(video: Path) -> Iterator[np.ndarray]:
    """Every frame of ``video``, in order; the file is let go when the frames end or the caller stops."""
    capture = cv2.VideoCapture(str(video))
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                return
            yield frame
    finally:
        capture.release()
