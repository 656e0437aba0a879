"""POST /face-events: the real records of tests/events/, mutated; their bytes cut and flipped; garbage."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import FuzzedDoor, fuzz_settings
from tests.fuzz.strategies import encode, garbage_bytes, mutated

pytestmark = pytest.mark.fuzz

EVENTS = Path(__file__).resolve().parents[1] / "events"
RECORDS: list[dict[str, Any]] = [
    json.loads(path.read_text())
    for path in sorted(EVENTS.glob("*.json"))
    if "Records" not in json.loads(path.read_text())  # the Lambda event is for the stream handler
]


def _frame() -> str:
    # A real JPEG, so the face crop runs on whatever box a mutation leaves.
    ok, jpeg = cv2.imencode(".jpg", np.full((120, 160, 3), 90, np.uint8))
    assert ok
    return base64.b64encode(jpeg.tobytes()).decode()


FRAME = _frame()


@st.composite
def face_event_bodies(draw: st.DrawFn) -> bytes:
    record = draw(st.sampled_from(RECORDS))
    kind = draw(st.sampled_from(["record", "record", "wrapped", "wrapped", "bytes", "garbage", "garbage"]))
    if kind == "record":
        return encode(draw(mutated(record)))
    if kind == "wrapped":
        return encode(draw(mutated({"record": record, "frame": FRAME}, max_mutations=2)))
    if kind == "bytes":
        data = bytearray(json.dumps(record).encode())
        at = draw(st.integers(0, len(data) - 1))
        if draw(st.booleans()):
            return bytes(data[:at])  # cut short
        data[at] = draw(st.integers(0, 255))  # one byte changed
        return bytes(data)
    return draw(garbage_bytes)


@fuzz_settings(max_examples=100)
@given(body=face_event_bodies(), camera=st.one_of(st.none(), st.text(max_size=20)))
def test_face_events_never_fail_the_server(door: FuzzedDoor, body: bytes, camera: str | None) -> None:
    before = door.state()
    params = {"camera": camera} if camera is not None else {}
    response = door.client.post("/face-events", content=body, params=params, headers=door.owner)
    door.check(response, before)
    if response.status_code == 400:
        assert response.json()["error"].startswith("Bad face event:")
