"""The photo-less stranger and its retry over the memory fakes: the flow, and what the owner can do with a
sighting whose face never came."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from smartdoor.adapters.memory.awaited_photos import MemoryAwaitedPhotos
from smartdoor.adapters.memory.stores import MemoryFrames
from smartdoor.domain.errors import Conflict, StorageUnavailable
from smartdoor.domain.model import AccessDecision, Email, FaceOwner, Sighting, SightingStatus, Visitor
from smartdoor.ports import FilledPhoto, PhotoTask
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


class FailingOpen(MemoryAwaitedPhotos):
    """Refuses the unit, as a DynamoDB transaction that did not commit (or whose answer was lost)."""

    def open(self, sighting: Sighting, email: Email, task: PhotoTask, due_at: datetime) -> None:
        raise StorageUnavailable("DynamoDB is down")


def test_a_photo_less_sighting_that_was_not_stored_leaves_the_camera_free_for_the_event_s_retry(
    fakes: Fakes,
) -> None:
    event = unknown_face(START - timedelta(seconds=40))
    working = fakes.door
    fakes.door = replace(working, awaited_photos=FailingOpen(fakes.sightings, fakes.owners, fakes.mailer))
    with pytest.raises(StorageUnavailable):
        record_face_event(fakes.door, event)
    assert fakes.sightings.items == {}
    [sighting] = record_face_event(working, event)  # the stream's retry of the record
    assert sighting.photo is None


def test_a_photo_less_sighting_that_may_be_stored_fails_the_event_without_announcing_it(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = unknown_face(START - timedelta(seconds=40))
    fakes.door = replace(fakes.door, awaited_photos=FailingOpen(fakes.sightings, fakes.owners, fakes.mailer))

    def unreadable(sighting_id: str) -> Sighting | None:
        raise StorageUnavailable("DynamoDB is down")

    monkeypatch.setattr(fakes.sightings, "get", unreadable)
    with pytest.raises(StorageUnavailable):
        record_face_event(fakes.door, event)
    assert fakes.publisher.published == []  # not told of a sighting nobody knows was made


class FailingFillOf(MemoryAwaitedPhotos):
    """A fill that fails for one sighting (its transaction refused by a storage outage), once."""

    failing: str | None = None

    def fill(self, sighting_id: str, runner: str, filled: FilledPhoto) -> bool:
        if sighting_id == self.failing:
            self.failing = None
            raise StorageUnavailable("DynamoDB is down")
        return super().fill(sighting_id, runner, filled)


def test_one_task_that_fails_leaves_the_others_filled_and_is_taken_again_after_its_lease(
    fakes: Fakes,
) -> None:
    awaited = FailingFillOf(fakes.sightings, fakes.owners, fakes.mailer)
    fakes.door = replace(fakes.door, awaited_photos=awaited)
    at = START - timedelta(seconds=40)
    [first] = record_face_event(fakes.door, unknown_face(at, camera="front-door"))
    [second] = record_face_event(fakes.door, unknown_face(at, camera="garden"))
    for camera in ("front-door", "garden"):
        frames(fakes).frames[(camera, at)] = FRAME
    awaited.failing = first.id
    assert next_try(fakes) == [Retry.FAILED, Retry.FILLED]
    assert [e.key for e in fakes.mailer.sent] == [f"email:sighting:{second.id}"]
    assert fakes.faces.descriptors.keys() == {
        fakes.sightings.items[second.id].face_id
    }  # the failed one's taken back
    fakes.clock.advance(seconds=fakes.door.policy.photo_retry_lease.total_seconds())
    assert retry_awaited_photos(fakes.door, "runner") == [Retry.FILLED]
    assert len(fakes.mailer.sent) == 2


def test_the_camera_is_free_for_the_next_photo_less_stranger_once_the_photo_is_filled(fakes: Fakes) -> None:
    event = unknown_face(START - timedelta(seconds=40))
    record_face_event(fakes.door, event)
    frames(fakes).frames[(event.camera_id, event.frame_time)] = FRAME
    assert next_try(fakes) == [Retry.FILLED]
    # The first one's face is indexed now, so its later frames match it; someone new is a stranger.
    later = unknown_face(fakes.clock.now() - timedelta(seconds=5))
    [someone] = record_face_event(fakes.door, later)
    assert someone.photo is None


def test_a_photo_less_stranger_stays_one_sighting_while_its_retries_run_on_a_slow_schedule(
    fakes: Fakes,
) -> None:
    event = unknown_face(START - timedelta(seconds=40))
    [first] = record_face_event(fakes.door, event)
    for _ in range(fakes.door.policy.photo_attempts - 1):
        fakes.clock.advance(minutes=1)  # the retry Lambda's schedule, slower than the retry interval
        retry_awaited_photos(fakes.door, "runner")
        later = unknown_face(fakes.clock.now() - timedelta(seconds=5))
        assert record_face_event(fakes.door, later) == []
    assert list(fakes.sightings.items) == [first.id]


class StallingFrames(MemoryFrames):
    """Kinesis Video answering a runner so late that, meanwhile, its lease ran out, another runner filled the
    photo, and the owner registered the visitor (``meanwhile`` runs once, at the first fetch)."""

    def __init__(self, frame: bytes, meanwhile: Callable[[], None]) -> None:
        super().__init__()
        self._frame, self._meanwhile = frame, meanwhile

    def frame_at(self, camera_id: str, at: datetime) -> bytes | None:
        meanwhile, self._meanwhile = self._meanwhile, lambda: None
        meanwhile()
        return self._frame


def test_a_late_runner_s_photos_of_a_registered_visitor_stay_kept(fakes: Fakes) -> None:
    # GIVEN a photo-less stranger; runner "late" takes the retry, then stalls until "on-time" has filled
    # the photo and the owner has registered the visitor (their photos kept from the purge)
    [sighting] = record_face_event(fakes.door, unknown_face(START - timedelta(seconds=40)))
    registered: list[Visitor] = []

    def meanwhile() -> None:
        fakes.clock.advance(seconds=fakes.door.policy.photo_retry_lease.total_seconds() + 1)
        assert retry_awaited_photos(fakes.door, "on-time") == [Retry.FILLED]
        registered.append(register_visitor(fakes.door, Owner(), sighting.id, "Ada", "+442079460958").visitor)

    fakes.door = replace(fakes.door, frames=StallingFrames(FRAME, meanwhile))
    fakes.clock.advance(seconds=fakes.door.policy.photo_retry_interval.total_seconds())
    # WHEN the late runner goes on: it stores the photos again under the same keys (on S3 that put tags
    # them unregistered again), then finds the task filled
    assert retry_awaited_photos(fakes.door, "late") == [Retry.BUSY]
    # THEN the registered visitor's photos are still kept
    [visitor] = registered
    assert visitor.photos
    assert {p.object_key for p in visitor.photos} <= fakes.photos.kept
