"""The local analyser's records decode like Rekognition's, each analysed frame with its own identity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smartdoor.edges.face_records import decode_face_record
from smartdoor.vision.analyser import FaceBox
from smartdoor.vision.records import SeenFace, face_search_record

pytestmark = pytest.mark.unit

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_each_analysed_frame_is_its_own_face_event() -> None:
    seen = [SeenFace(FaceBox(100, 100, 200, 220, 1.5), (), None)] * 2
    first = decode_face_record(face_search_record("porch", AT, (640, 480), seen, frame_id="f-1"))
    second = decode_face_record(face_search_record("porch", AT, (640, 480), seen, frame_id="f-2"))
    assert first.face_keys() == (
        "arn:smartdoor:local:camera:stream/porch/0/f-1/0.0/0",
        "arn:smartdoor:local:camera:stream/porch/0/f-1/0.0/1",
    )
    assert second.event_id == "arn:smartdoor:local:camera:stream/porch/0/f-2/0.0"
