"""The Pillow face cropper of the AWS side: the face's own region with a margin, nothing else of the frame."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from smartdoor.adapters.aws.face_crop import PillowFaceCropper
from smartdoor.adapters.crop_region import padded
from smartdoor.domain.model import BoundingBox

pytestmark = pytest.mark.unit

RED, BLUE = (220, 20, 20), (20, 20, 220)


def two_people() -> bytes:
    """400x200: a red "person" on the left half, a blue one on the right."""
    image = Image.new("RGB", (400, 200), RED)
    image.paste(BLUE, (200, 0, 400, 200))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_the_padded_region_grows_by_the_margin_and_stays_in_the_frame() -> None:
    assert padded(BoundingBox(0.375, 0.375, 0.25, 0.25), 0.5) == BoundingBox(0.25, 0.25, 0.5, 0.5)
    assert padded(BoundingBox(0.375, 0.25, 0.25, 0.5), 0.5) == BoundingBox(0.25, 0.0, 0.5, 1.0)  # clipped
    edge = padded(BoundingBox(0.0, 0.9, 0.2, 0.1), 0.5)
    assert edge.left == 0.0
    assert edge.top == pytest.approx(0.85)
    assert edge.left + edge.width <= 1.0
    assert edge.top + edge.height == pytest.approx(1.0)


def test_the_crop_is_the_face_with_its_margin_as_a_jpeg() -> None:
    # The blue face's box, with 35 % margin each side: 0.6..0.9 of the width grows to 0.495..1.0.
    crop = PillowFaceCropper().crop(two_people(), BoundingBox(0.6, 0.25, 0.3, 0.5))
    assert crop is not None
    image = Image.open(io.BytesIO(crop))
    assert image.format == "JPEG"
    assert image.size == (202, 170)  # 400 * (1.0 - 0.495) = 202, 200 * (0.925 - 0.075) = 170
    # Past the first few columns (the margin reaches just over the halfway line) it is all the blue person.
    red, _, blue = image.convert("RGB").getpixel((100, 85))  # type: ignore[misc]
    assert blue > 180
    assert red < 60


@pytest.mark.parametrize("frame", [b"", b"not an image", b"\xff\xd8\xff\xe0 truncated jpeg"])
def test_a_frame_that_is_no_image_gives_no_crop(frame: bytes) -> None:
    assert PillowFaceCropper().crop(frame, BoundingBox(0.1, 0.1, 0.5, 0.5)) is None


def test_a_box_too_small_to_be_a_face_gives_no_crop() -> None:
    assert PillowFaceCropper().crop(two_people(), BoundingBox(0.5, 0.5, 0.001, 0.001)) is None
