"""The frame Lambda fed canonical S3 notification events (tests/events/s3), over a Door of memory fakes with
the frame path's memory ports. The clock is the canonical frame's own time, so it is fresh."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.adapters.memory.frame_path import MemoryUploads, ScriptedFrameSearch
from stream_handler import container
from tests.unit.conftest import Fakes, make_fakes, no_network

__all__ = ["no_network"]  # the unit tier's guard: these tests do no I/O either

EVENTS = Path(__file__).resolve().parents[2] / "events" / "s3"
FRAME_TIME = datetime(2025, 12, 1, 12, 0, tzinfo=UTC)  # the canonical key's time
BUCKET = "door-photos"


@dataclass
class Frames:
    fakes: Fakes
    search: ScriptedFrameSearch
    uploads: MemoryUploads


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> Iterator[Frames]:
    fakes = make_fakes()
    clock = ManualClock(FRAME_TIME)
    search, uploads = ScriptedFrameSearch(), MemoryUploads()
    fakes.door = replace(fakes.door, clock=clock, frame_search=search, uploads=uploads)
    fakes.clock = clock
    monkeypatch.setenv("SMARTDOOR_PHOTO_BUCKET", BUCKET)
    container.settings.cache_clear()
    container.set_door(fakes.door)
    yield Frames(fakes, search, uploads)
    container.set_door(None)
    container.settings.cache_clear()


def canonical_event() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / "frame_uploaded.json").read_text())
    return loaded


def s3_event(*keys: str, bucket: str = BUCKET, event_name: str = "ObjectCreated:Post") -> dict[str, Any]:
    """The canonical notification with one record per key (sequencers 1, 2, 3…)."""
    template = canonical_event()["Records"][0]
    records = []
    for n, key in enumerate(keys, start=1):
        record = copy.deepcopy(template)
        record["eventName"] = event_name
        record["s3"]["bucket"]["name"] = bucket
        record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
        record["s3"]["object"]["key"] = key
        record["s3"]["object"]["sequencer"] = f"{n:018X}"
        records.append(record)
    return {"Records": records}
