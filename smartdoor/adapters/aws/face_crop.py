"""The FaceCropper port with Pillow: small enough for a Lambda asset, where numpy and OpenCV are not."""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from smartdoor.adapters.crop_region import padded
from smartdoor.domain.model import BoundingBox

# Rekognition's own floor is 40x40 px for a face in IndexFaces; less than this is no face to anyone.
MIN_SIDE = 8
# A camera frame is a few megapixels; anything far larger is a decompression bomb, not a door camera.
MAX_PIXELS = 40_000_000


class PillowFaceCropper:
    """Cuts the face and a margin out of a JPEG or PNG frame and returns it as a JPEG (quality 90)."""

    def crop(self, frame: bytes, box: BoundingBox) -> bytes | None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(frame))
                if image.width * image.height > MAX_PIXELS:
                    return None
                image.load()
        except (
            UnidentifiedImageError,
            OSError,
            ValueError,
            Image.DecompressionBombWarning,
            Image.DecompressionBombError,
        ):
            return None
        region = padded(box)
        left, top = int(region.left * image.width), int(region.top * image.height)
        right = int((region.left + region.width) * image.width)
        bottom = int((region.top + region.height) * image.height)
        if right - left < MIN_SIDE or bottom - top < MIN_SIDE:
            return None
        out = io.BytesIO()
        image.crop((left, top, right, bottom)).convert("RGB").save(out, "JPEG", quality=90)
        return out.getvalue()
