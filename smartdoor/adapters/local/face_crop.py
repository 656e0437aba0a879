"""Cut the face out of a frame with OpenCV (the vision extra); without it, sightings keep the frame only."""

from __future__ import annotations

from smartdoor.domain.model import BoundingBox

MARGIN = 0.35  # around the detector's box: hair, chin and ears make a face recognisable to a person


class OpenCvFaceCropper:
    def crop(self, frame: bytes, box: BoundingBox) -> bytes | None:
        import cv2
        import numpy as np

        image = cv2.imdecode(np.frombuffer(frame, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            return None
        height, width = image.shape[:2]
        pad_x, pad_y = box.width * MARGIN, box.height * MARGIN
        left = max(0, int((box.left - pad_x) * width))
        top = max(0, int((box.top - pad_y) * height))
        right = min(width, int((box.left + box.width + pad_x) * width))
        bottom = min(height, int((box.top + box.height + pad_y) * height))
        if right - left < 8 or bottom - top < 8:
            return None
        ok, jpeg = cv2.imencode(".jpg", image[top:bottom, left:right], [cv2.IMWRITE_JPEG_QUALITY, 90])
        return jpeg.tobytes() if ok else None


class NoCropper:
    def crop(self, frame: bytes, box: BoundingBox) -> bytes | None:
        return None
