"""Where a face crop is cut: the detector's box plus a margin, kept inside the frame (pure geometry)."""

from __future__ import annotations

from smartdoor.domain.model import BoundingBox

# Around the detector's box: hair, chin and ears make a face recognisable, to a person and to Rekognition,
# whose IndexFaces and SearchFacesByImage refuse a face cut too tight. A neighbour's face may show at an
# edge, but smaller than this one, so "the largest face" in the crop is still this one.
MARGIN = 0.35


def padded(box: BoundingBox, margin: float = MARGIN) -> BoundingBox:
    """The box grown by ``margin`` of its size on every side, clipped to the frame (0..1)."""
    left = max(0.0, box.left - box.width * margin)
    top = max(0.0, box.top - box.height * margin)
    right = min(1.0, box.left + box.width * (1 + margin))
    bottom = min(1.0, box.top + box.height * (1 + margin))
    return BoundingBox(left, top, max(0.0, right - left), max(0.0, bottom - top))
