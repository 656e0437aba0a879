"""Kinesis and Rekognition deliver at least once: a face event is handled once by its identity."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from smartdoor.adapters.memory.new_sightings import MemoryNewSightings
from smartdoor.adapters.memory.stores import MemoryClaims, MemorySightings
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.model import Email, Sighting
from smartdoor.edges.face_records import decode_face_record
from smartdoor.ports import NewSightings
from smartdoor.services.sightings import record_face_event
from tests.unit.conftest import Fakes

pytestmark = pytest.mark.unit

EVENTS = Path(__file__).resolve().parents[1] / "events"


def record(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return loaded


def test_a_redelivered_unknown_face_makes_one_sighting_and_one_email(fakes: Fakes) -> None:
    for _ in range(3):
        record_face_event(fakes.door, decode_face_record(record("unknown_face.json")), b"\xff\xd8jpeg")
    assert len(fakes.sightings.items) == 1
    assert len(fakes.mailer.sent) == 1
    assert len(fakes.publisher.published) == 1
    assert fakes.events.kinds() == ["NEW_FACE"]


def test_two_faces_of_one_record_are_two_events_and_each_is_handled_once(fakes: Fakes) -> None:
    strangers = record("two_faces.json")
    for face in strangers["FaceSearchResponse"]:
        face["MatchedFaces"] = []
    for _ in range(2):
        record_face_event(fakes.door, decode_face_record(strangers))
    assert len(fakes.sightings.items) == 2
    assert len(fakes.mailer.sent) == 2


def test_a_later_frame_of_the_same_stream_is_a_new_event(fakes: Fakes) -> None:
    first = record("unknown_face.json")
    later = record("unknown_face.json")
    later["InputInformation"]["KinesisVideo"]["FrameOffsetInSeconds"] = 1.4
    record_face_event(fakes.door, decode_face_record(first))
    record_face_event(fakes.door, decode_face_record(later))  # the same box, unmatched: a second stranger
    assert len(fakes.sightings.items) == 2


class FlakySightings(MemorySightings):
    """Fails the next ``failures`` adds with a storage error, like a database that is briefly away."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def add(self, sighting: Sighting) -> None:
        if self.failures:
            self.failures -= 1
            raise StorageUnavailable("the database is away")
        super().add(sighting)


def test_a_delivery_whose_handling_failed_can_be_retried(fakes: Fakes) -> None:
    # GIVEN storage fails while the first delivery is handled (after its claim was taken)
    flaky = FlakySightings(failures=1)
    door = replace(fakes.door, sightings=flaky, new_sightings=MemoryNewSightings(flaky, fakes.mailer))
    event = decode_face_record(record("unknown_face.json"))
    with pytest.raises(StorageUnavailable):
        record_face_event(door, event)
    # WHEN the stream retries at once THEN the retry does the work, and a third delivery does nothing
    [sighting] = record_face_event(door, event)
    assert record_face_event(door, event) == []
    assert list(flaky.items) == [sighting.id]


def test_a_claim_left_by_a_crashed_handler_lapses_after_its_lease(fakes: Fakes) -> None:
    event = decode_face_record(record("unknown_face.json"))
    [key] = event.face_keys()
    # GIVEN a handler claimed the event and died before settling it (no release, no extension)
    lease = fakes.door.policy.face_event_lease
    assert fakes.door.claims.claim(f"face-event:{key}", fakes.clock.now() + lease, fakes.clock.now())
    assert record_face_event(fakes.door, event) == []  # within the lease: another handler may be on it
    fakes.clock.advance(seconds=lease.total_seconds())
    assert len(record_face_event(fakes.door, event)) == 1


def test_a_handled_event_is_remembered_for_the_longest_redelivery(fakes: Fakes) -> None:
    event = decode_face_record(record("unknown_face.json"))
    record_face_event(fakes.door, event)
    [key] = event.face_keys()
    claims = fakes.door.claims
    assert isinstance(claims, MemoryClaims)
    assert claims.items == {f"face-event:{key}": fakes.clock.now() + timedelta(days=7)}
    assert key == (
        "arn:aws:kinesisvideo:us-east-1:123456789012:stream/front-door/1700000000000"
        "/91343852333181432392682062607743920146264271231/1.2/0"
    )


def test_a_hand_made_record_without_a_fragment_is_not_deduplicated(fakes: Fakes) -> None:
    hand_made = record("unknown_face.json")
    del hand_made["InputInformation"]["KinesisVideo"]["FragmentNumber"]
    for _ in range(2):
        record_face_event(fakes.door, decode_face_record(hand_made))
    assert len(fakes.sightings.items) == 2


def test_an_email_that_could_not_be_queued_is_retried_with_its_sighting(fakes: Fakes) -> None:
    # GIVEN a stranger's face event (with the descriptor the memory index tells people apart by)
    base = decode_face_record(record("unknown_face.json"))
    face = replace(base.faces[0], descriptor=tuple(0.01 * i for i in range(128)))
    event = replace(base, faces=(face,))
    [key] = event.face_keys()
    # WHEN the outbox fails while the owner's email is queued
    fakes.mailer.fail = True
    with pytest.raises(StorageUnavailable):
        record_face_event(fakes.door, event, b"\xff\xd8jpeg")
    # THEN no sighting is stored, the attempt's face is taken back and the event's claim is released
    assert (fakes.sightings.items, fakes.mailer.sent, fakes.owners.labels()) == ({}, [], {})
    claims = fakes.door.claims
    assert isinstance(claims, MemoryClaims)
    assert f"face-event:{key}" not in claims.items
    # AND the stream's retry makes exactly one sighting and one email, and a re-delivery none
    fakes.mailer.fail = False
    [sighting] = record_face_event(fakes.door, event, b"\xff\xd8jpeg")
    assert record_face_event(fakes.door, event, b"\xff\xd8jpeg") == []
    assert list(fakes.sightings.items) == [sighting.id]
    assert [e.key for e in fakes.mailer.sent] == [f"email:sighting:{sighting.id}"]
    assert fakes.owners.labels() == {sighting.face_id: f"sighting-{sighting.id}"}


def test_a_face_event_whose_unit_committed_is_not_a_second_sighting_on_retry(fakes: Fakes) -> None:
    # GIVEN the unit committed and the handler then failed (the console push), so the claim was released
    base = decode_face_record(record("unknown_face.json"))
    face = replace(base.faces[0], descriptor=tuple(0.01 * i for i in range(128)))
    event = replace(base, faces=(face,))

    class BrokenConsole:
        def publish(self, sighting: Sighting) -> None:
            raise StorageUnavailable("console away")

    with pytest.raises(StorageUnavailable):
        record_face_event(replace(fakes.door, publisher=BrokenConsole()), event)
    # WHEN the stream retries THEN the retry's new face yields to the committed one: still one of each
    assert record_face_event(fakes.door, event) == []
    assert len(fakes.sightings.items) == 1
    assert len(fakes.mailer.sent) == 1


class CommitsThenFails:
    """A unit that commits and then reports a failure (a timeout after DynamoDB committed the write)."""

    def __init__(self, inner: NewSightings) -> None:
        self.inner = inner

    def open(self, sighting: Sighting, email: Email) -> None:
        self.inner.open(sighting, email)
        raise StorageUnavailable("read timeout")


def test_a_unit_that_committed_but_reported_a_failure_keeps_its_face(fakes: Fakes) -> None:
    # GIVEN the unit commits but its answer is lost
    base = decode_face_record(record("unknown_face.json"))
    face = replace(base.faces[0], descriptor=tuple(0.01 * i for i in range(128)))
    event = replace(base, faces=(face,))
    door = replace(fakes.door, new_sightings=CommitsThenFails(fakes.door.new_sightings))
    # WHEN the face event is handled THEN the stored sighting is the outcome, and its face stays its own
    [sighting] = record_face_event(door, event)
    assert fakes.owners.labels() == {sighting.face_id: f"sighting-{sighting.id}"}
    assert fakes.publisher.published == [sighting]
    # AND a later frame of the stranger (a new event, no match from the record) makes no second one
    later = replace(event, event_id=None)
    assert record_face_event(fakes.door, later) == []
    assert (len(fakes.sightings.items), len(fakes.mailer.sent)) == (1, 1)
