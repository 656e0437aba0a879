"""Frames of one stranger that miss the search at once (two cameras, two stream shards) make one sighting."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from smartdoor.domain.model import BoundingBox, DetectedFace, FaceEvent, Sighting
from smartdoor.services.sightings import record_face_event
from tests.unit.conftest import Fakes

pytestmark = pytest.mark.unit

BOX = BoundingBox(0.4, 0.2, 0.2, 0.3)
ADA = tuple(0.01 * n for n in range(128))  # the memory index takes equal descriptors for one person
EVE = tuple(-0.01 * n for n in range(128))


def frames_at_once(fakes: Fakes, descriptors: list[tuple[float, ...]]) -> list[Sighting]:
    """One thread per frame, released together; each frame is its own event (its own identity)."""
    start, made, failed = threading.Barrier(len(descriptors)), [], []

    def frame(n: int, descriptor: tuple[float, ...]) -> None:
        event = FaceEvent(
            f"camera-{n % 2}",
            fakes.clock.now(),
            (DetectedFace(BOX, 99.0, descriptor=descriptor),),
            event_id=f"{fakes.clock.now().isoformat()}/{n}",
        )
        start.wait(timeout=10)
        try:
            made.extend(record_face_event(fakes.door, event, b"\xff\xd8jpeg"))
        except BaseException as exc:  # a failure in a thread must fail the test, not vanish
            failed.append(exc)

    threads = [threading.Thread(target=frame, args=(n, d)) for n, d in enumerate(descriptors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failed
    return made


def test_twenty_frames_of_one_stranger_at_once_make_one_sighting_and_one_email(fakes: Fakes) -> None:
    made = frames_at_once(fakes, [ADA] * 20)
    assert len(made) == 1
    assert list(fakes.sightings.items) == [made[0].id]
    assert len(fakes.mailer.sent) == 1
    assert fakes.publisher.published == made
    # Only the winner's face is left in the index, owned by its sighting; the others' photos were never taken
    assert list(fakes.faces.descriptors) == [made[0].face_id]
    assert fakes.owners.labels() == {made[0].face_id: f"sighting-{made[0].id}"}
    assert set(fakes.photos.objects) == {f"sightings/{made[0].id}.jpg", f"sightings/{made[0].id}-face.jpg"}


def test_two_strangers_at_once_make_two_sightings(fakes: Fakes) -> None:
    made = frames_at_once(fakes, [ADA, EVE] * 10)
    assert len(made) == 2
    assert len(fakes.mailer.sent) == 2
    assert {fakes.faces.descriptors[s.face_id] for s in made} == {ADA, EVE}


def test_a_stranger_back_after_the_new_face_window_is_a_new_visit(fakes: Fakes) -> None:
    [first] = frames_at_once(fakes, [ADA] * 3)
    fakes.clock.advance(minutes=10, microseconds=1)
    [second] = frames_at_once(fakes, [ADA] * 3)
    assert first.id != second.id
    assert len(fakes.mailer.sent) == 2


def test_a_contender_that_died_before_settling_does_not_silence_the_stranger(fakes: Fakes) -> None:
    from smartdoor.domain.model import FaceOwner, OwnedFace

    # GIVEN a handler indexed a face of Ada and recorded its row, then died before it settled
    dead = fakes.faces.index_face(DetectedFace(BOX, 99.0, descriptor=ADA), None)
    fakes.owners.add(OwnedFace(dead, FaceOwner.sighting("never-made"), fakes.clock.now(), settled=False))
    # WHEN Ada's next frame arrives after the face-event lease
    fakes.clock.advance(seconds=fakes.door.policy.face_event_lease / timedelta(seconds=1) + 1)
    made = frames_at_once(fakes, [ADA])
    # THEN she gets her sighting
    assert len(made) == 1


def test_a_winner_that_died_before_storing_its_sighting_does_not_silence_the_stranger(fakes: Fakes) -> None:
    from smartdoor.domain.model import FaceOwner, OwnedFace

    # GIVEN a handler won Ada's visit (its face settled), then died before it stored the sighting
    dead = fakes.faces.index_face(DetectedFace(BOX, 99.0, descriptor=ADA), None)
    fakes.owners.add(OwnedFace(dead, FaceOwner.sighting("never-stored"), fakes.clock.now()))
    # WHEN a frame of Ada arrives within the lease, it waits for that sighting; after the lease it is hers
    assert frames_at_once(fakes, [ADA]) == []
    fakes.clock.advance(seconds=fakes.door.policy.face_event_lease / timedelta(seconds=1) + 1)
    made = frames_at_once(fakes, [ADA])
    assert len(made) == 1
