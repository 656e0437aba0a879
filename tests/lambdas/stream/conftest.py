"""The stream handler fed canonical Lambda Kinesis events, over a Door of in-memory fakes.

The fakes' clock is set to the records' own time (November 2025), so they are fresh unless a test moves it.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.domain.model import FaceOwner, OwnedFace, Visitor
from stream_handler import container
from tests.unit.conftest import Fakes, make_fakes, no_network

__all__ = ["no_network"]  # the unit tier's guard: these tests do no I/O either

EVENTS = Path(__file__).resolve().parents[2] / "events"
RECORDS_TIME = datetime(2025, 11, 23, 12, 15, tzinfo=UTC)  # a minute or two after the records' frames
# The visitors the records' matches name (ExternalImageId visitor-<id>, FaceId as indexed).
ADA = Visitor("7f2c9a1e", "3c9e1f52-7a44-4b1e-8d6f-2a9c5e0b7d31", "Ada", "+442079460958", (), RECORDS_TIME)
BOB = Visitor("0b1c2d3e", "e1d2c3b4-a5f6-4789-8abc-def012345678", "Bob", "+14155550123", (), RECORDS_TIME)


@dataclass
class Stream:
    """The handler's Door and handles on its fakes."""

    fakes: Fakes
    clock: ManualClock


@pytest.fixture
def stream() -> Iterator[Stream]:
    fakes = make_fakes()
    clock = ManualClock(RECORDS_TIME)
    fakes.door = replace(fakes.door, clock=clock)
    fakes.clock = clock
    container.set_door(fakes.door)
    yield Stream(fakes, clock)
    container.set_door(None)


def add_visitor(stream: Stream, visitor: Visitor) -> None:
    """GIVEN a registered visitor whose face the records match."""
    stream.fakes.visitors.add(visitor)
    stream.fakes.owners.add(OwnedFace(visitor.face_id, FaceOwner.visitor(visitor.id), RECORDS_TIME))


def record_json(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return loaded


def canonical_event(name: str = "kinesis_event_with_poison.json") -> dict[str, Any]:
    """A Lambda Kinesis event of tests/events/: by default three records, the second one bad.

    kinesis_event_faces.json: a stranger (1.6E9 timestamps), Ada with a stranger in one frame, no faces."""
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return loaded


def kinesis_event(*payloads: dict[str, Any] | bytes) -> dict[str, Any]:
    """A Lambda Kinesis event in the canonical shape, one record per payload, sequence numbers 1, 2, 3…"""
    template = canonical_event()["Records"][0]
    records = []
    for n, payload in enumerate(payloads, start=1):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        record = copy.deepcopy(template)
        sequence = f"4965{n:052d}"
        record["kinesis"]["sequenceNumber"] = sequence
        record["kinesis"]["data"] = base64.b64encode(data).decode()
        record["eventID"] = f"shardId-000000000000:{sequence}"
        records.append(record)
    return {"Records": records}


def sequence_numbers(event: dict[str, Any]) -> list[str]:
    return [r["kinesis"]["sequenceNumber"] for r in event["Records"]]
