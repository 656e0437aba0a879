"""The photo-less stranger and its retry over the memory fakes: the flow, and what the owner can do with a
sighting whose face never came."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from smartdoor.adapters.memory.awaited_photos import MemoryAwaitedPhotos
from smartdoor.adapters.memory.stores import MemoryFrames
from smartdoor.domain.errors import Conflict
from smartdoor.domain.model import AccessDecision, FaceOwner, SightingStatus
from smartdoor.services.authorization import Owner
from smartdoor.services.awaited_photos import Retry, retry_awaited_photos
from smartdoor.services.decisions import approve_visitor, register_visitor
from smartdoor.services.messages import PHOTO_CID
from smartdoor.services.sightings import record_face_event
from tests.unit.builders import unknown_face
from tests.unit.conftest import START, Fakes, make_fakes

FRAME = b"\xff\xd8 the frame \xff\xd9"


@pytest.fixture
def fakes() -> Fakes:
    made = make_fakes()
    made.door = replace(
        made.door, awaited_photos=MemoryAwaitedPhotos(made.sightings, made.owners, made.mailer)
    )
    return made


def frames(fakes: Fakes) -> MemoryFrames:
    source = fakes.door.frames
    assert isinstance(source, MemoryFrames)
    return source


def next_try(fakes: Fakes) -> list[Retry]:
    fakes.clock.advance(seconds=fakes.door.policy.photo_retry_interval.total_seconds())
    return retry_awaited_photos(fakes.door, "runner")


def test_a_stranger_without_a_frame_is_a_sighting_now_and_its_photo_comes_with_the_retry(
    fakes: Fakes,
) -> None:
    event = unknown_face(START - timedelta(seconds=40))
    [sighting] = record_face_event(fakes.door, event)
    assert (sighting.photo, fakes.mailer.sent, fakes.publisher.published) == (None, [], [sighting])
    # Another frame of the visit meanwhile: no second sighting, though nothing could match the first.
    assert (
        record_face_event(fakes.door, replace(event, frame_time=event.frame_time + timedelta(seconds=1)))
        == []
    )
    assert next_try(fakes) == [Retry.LATER]
    frames(fakes).frames[(event.camera_id, event.frame_time)] = FRAME
    assert next_try(fakes) == [Retry.FILLED]
    stored = fakes.sightings.get(sighting.id)
    assert stored is not None
    assert stored.photo is not None
    assert fakes.photos.objects[stored.photo.object_key] == FRAME
    owned = fakes.owners.get(stored.face_id)
    assert owned is not None
    assert owned.owner == FaceOwner.sighting(sighting.id)
    [email] = fakes.mailer.sent
    assert email.inline_images == ((PHOTO_CID, FRAME),)
    assert fakes.publisher.published[-1] == stored  # the console's card, now with the photo
    assert next_try(fakes) == []


def test_a_sighting_whose_face_never_came_cannot_be_registered_but_can_be_turned_away(fakes: Fakes) -> None:
    [sighting] = record_face_event(fakes.door, unknown_face(START - timedelta(seconds=40)))
    outcomes = [next_try(fakes) for _ in range(fakes.door.policy.photo_attempts - 1)]
    assert outcomes[-1] == [Retry.GAVE_UP]
    [email] = fakes.mailer.sent
    assert email.inline_images == ()
    assert "No photo was captured." in email.html
    with pytest.raises(Conflict, match="no picture of this visitor's face"):
        register_visitor(fakes.door, Owner(), sighting.id, "Ada", "+442079460958")
    assert fakes.visitors.list(10, None).items == ()
    denied = approve_visitor(fakes.door, Owner(), sighting.id, AccessDecision.DENY)
    assert denied.status is SightingStatus.DENIED
