"""A frame's object key carries its camera and time, and nothing else gets through."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smartdoor.domain.errors import BadFaceEvent
from smartdoor.domain.frame_keys import FrameKey, frame_key, parse_frame_key

pytestmark = pytest.mark.unit

TAKEN = datetime(2026, 12, 1, 9, 30, 15, 250000, tzinfo=UTC)


def test_a_key_names_its_camera_and_time_to_the_millisecond() -> None:
    key = frame_key("front-door", TAKEN, "0f1e2d3c4b5a6978")
    assert key == "frames/front-door/1796117415250-0f1e2d3c4b5a6978.jpg"
    assert parse_frame_key(key) == FrameKey("front-door", TAKEN, "0f1e2d3c4b5a6978")


@pytest.mark.parametrize(
    "key",
    [
        "photos/front-door/1796117415250-0f1e2d3c4b5a6978.jpg",
        "frames/front door/1796117415250-0f1e2d3c4b5a6978.jpg",
        "frames/front-door/1796117415250-0f1e2d3c4b5a6978.png",
        "frames/front-door/1796117415250-XYZ.jpg",
        "frames/../1796117415250-0f1e2d3c4b5a6978.jpg",
        "frames/front-door/-1-0f1e2d3c4b5a6978.jpg",
        "frames/front-door/1796117415250-0f1e2d3c4b5a6978.jpg/x",
    ],
)
def test_any_other_key_is_no_frame(key: str) -> None:
    with pytest.raises(BadFaceEvent, match="not a door frame"):
        parse_frame_key(key)


@pytest.mark.parametrize(("camera", "frame_id"), [("front/door", "0f1e2d3c"), ("front-door", "../x")])
def test_no_key_is_made_that_would_not_parse(camera: str, frame_id: str) -> None:
    with pytest.raises(ValueError, match="no frame key"):
        frame_key(camera, TAKEN, frame_id)
