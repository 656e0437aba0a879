"""One contract for AwaitedPhotos (a photo-less sighting with its held email, and the retry's steps): the
memory fake and DynamoDB on the moto server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from smartdoor.adapters.aws.dynamo_awaited_photos import DynamoAwaitedPhotos
from smartdoor.adapters.aws.dynamo_face_owners import DynamoFaceOwners
from smartdoor.adapters.aws.dynamo_sightings import DynamoSightings
from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
from smartdoor.adapters.aws.tables import FACES, OUTBOX, SIGHTINGS, create_table
from smartdoor.adapters.memory.awaited_photos import MemoryAwaitedPhotos
from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.adapters.memory.messaging import MemoryMailer, MemorySms
from smartdoor.adapters.memory.stores import MemoryFaceOwners, MemorySightings
from smartdoor.domain.errors import Conflict
from smartdoor.domain.message_keys import sighting_email_key
from smartdoor.domain.model import BoundingBox, Email, FaceOwner, OwnedFace, Photo, Sighting, SightingStatus
from smartdoor.ports import AwaitedPhotos, FaceOwners, FilledPhoto, PhotoTask, SightingRepository
from tests.integration.moto_fixtures import Aws

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DUE = T0 + timedelta(seconds=20)
LEASE = timedelta(seconds=60)
BOX = BoundingBox(0.41, 0.22, 0.18, 0.31)


@dataclass
class Rig:
    awaited: AwaitedPhotos
    sightings: SightingRepository
    owners: FaceOwners
    released: Callable[[], list[Email]]  # every email released and sent so far, oldest first

    def sent(self) -> list[Email]:
        return [replace(e, key=None) for e in self.released()]  # the outbox keeps the key as the item's id


def _memory() -> Rig:
    sightings, owners, mailer = MemorySightings(), MemoryFaceOwners(), MemoryMailer()
    return Rig(MemoryAwaitedPhotos(sightings, owners, mailer), sightings, owners, lambda: mailer.sent)


def _dynamodb(aws: Aws, clock: ManualClock) -> Rig:
    client = aws.dynamodb()
    sightings, faces, outbox = (create_table(client, t) for t in (SIGHTINGS, FACES, OUTBOX))
    mailer = MemoryMailer()
    dispatcher = OutboxDispatcher(client, mailer, MemorySms(), clock, "dispatcher", outbox)

    def sent() -> list[Email]:
        dispatcher.run_once()
        return mailer.sent

    return Rig(
        DynamoAwaitedPhotos(client, clock, sightings, faces, outbox),
        DynamoSightings(client, sightings),
        DynamoFaceOwners(client, faces),
        sent,
    )


@pytest.fixture(params=["memory", "dynamodb"])
def rig(request: pytest.FixtureRequest, clock: ManualClock) -> Rig:
    if request.param == "memory":
        return _memory()
    return _dynamodb(request.getfixturevalue("aws"), clock)


def stranger(sighting_id: str = "s1") -> Sighting:
    return Sighting(sighting_id, f"awaiting:{sighting_id}", "front", SightingStatus.PENDING, T0)


def email(sighting_id: str = "s1", photo: bytes | None = None) -> Email:
    images = (("visitor-photo", photo),) if photo else ()
    return Email(
        "owner@example.com",
        "Visitor",
        "Someone is here.",
        "<p>x</p>",
        images,
        sighting_email_key(sighting_id),
    )


def task(sighting_id: str = "s1") -> PhotoTask:
    return PhotoTask(sighting_id, "front", T0 - timedelta(seconds=40), BOX, "the-token", attempts=1)


def filled(sighting_id: str = "s1", face_id: str = "face-1") -> FilledPhoto:
    return FilledPhoto(
        OwnedFace(face_id, FaceOwner.sighting(sighting_id), DUE),
        Photo(f"sightings/{sighting_id}.jpg", "door-photos", DUE),
        Photo(f"sightings/{sighting_id}-face.jpg", "door-photos", DUE),
        email(sighting_id, photo=b"the frame"),
    )


def opened(rig: Rig) -> None:
    rig.awaited.open(stranger(), email(), task(), DUE)


def test_open_stores_the_sighting_and_holds_its_email_until_due(rig: Rig) -> None:
    opened(rig)
    assert rig.sightings.get("s1") == stranger()
    assert rig.sent() == []  # held
    assert rig.awaited.due(DUE - timedelta(microseconds=1), 10) == []
    assert rig.awaited.due(DUE, 10) == ["s1"]
    assert rig.awaited.claim("s1", "r1", DUE - timedelta(seconds=1), DUE + LEASE) is None  # not due yet


def test_open_with_a_taken_sighting_id_is_a_conflict_and_holds_nothing_more(rig: Rig) -> None:
    opened(rig)
    with pytest.raises(Conflict):
        rig.awaited.open(stranger(), email(), task(), DUE + timedelta(hours=1))
    assert rig.awaited.due(DUE, 10) == ["s1"]


def test_one_claim_at_a_time_and_a_lapsed_one_is_taken_again(rig: Rig) -> None:
    opened(rig)
    first = rig.awaited.claim("s1", "r1", DUE, DUE + LEASE)
    assert first == PhotoTask("s1", "front", T0 - timedelta(seconds=40), BOX, "the-token", attempts=2)
    assert rig.awaited.claim("s1", "r2", DUE + LEASE - timedelta(microseconds=1), DUE + 2 * LEASE) is None
    again = rig.awaited.claim("s1", "r2", DUE + LEASE, DUE + 2 * LEASE)
    assert again is not None
    assert again.attempts == 3
    assert rig.awaited.give_up("s1", "r1") is False  # r1's claim is gone
    assert rig.sent() == []


def test_racing_claims_have_one_winner(rig: Rig) -> None:
    opened(rig)
    start, won, lock = threading.Barrier(8), [], threading.Lock()

    def run(n: int) -> None:
        start.wait(timeout=30)
        got = rig.awaited.claim("s1", f"r{n}", DUE, DUE + LEASE)
        with lock:
            won.append(got is not None)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(won) == [False] * 7 + [True]


def test_fill_gives_the_sighting_its_photos_and_face_and_sends_the_email_with_the_photo(rig: Rig) -> None:
    opened(rig)
    assert rig.awaited.claim("s1", "r1", DUE, DUE + LEASE) is not None
    assert rig.awaited.fill("s1", "r2", filled()) is False  # not the holder: nothing written
    assert rig.sent() == []
    assert rig.awaited.fill("s1", "r1", filled()) is True
    stored = rig.sightings.get("s1")
    assert stored is not None
    assert (stored.face_id, stored.photo, stored.face_photo) == (
        "face-1",
        filled().photo,
        filled().face_photo,
    )
    assert rig.owners.get("face-1") == filled().face
    [sent] = rig.sent()
    assert (sent.subject, sent.inline_images) == ("Visitor", (("visitor-photo", b"the frame"),))
    # Done: no longer due, no claim, no second fill or give-up, no second email.
    assert rig.awaited.due(DUE + timedelta(hours=1), 10) == []
    assert rig.awaited.claim("s1", "r1", DUE + timedelta(hours=1), DUE + timedelta(hours=2)) is None
    assert rig.awaited.fill("s1", "r1", filled(face_id="face-2")) is False
    assert rig.awaited.give_up("s1", "r1") is False
    assert len(rig.sent()) == 1
    assert rig.owners.get("face-2") is None


def test_postpone_gives_the_claim_back_due_later(rig: Rig) -> None:
    opened(rig)
    assert rig.awaited.claim("s1", "r1", DUE, DUE + LEASE) is not None
    later = DUE + timedelta(seconds=20)
    rig.awaited.postpone("s1", "r2", DUE + timedelta(hours=1))  # not the holder: no effect
    rig.awaited.postpone("s1", "r1", later)
    assert rig.awaited.due(later - timedelta(microseconds=1), 10) == []
    assert rig.awaited.due(later, 10) == ["s1"]
    got = rig.awaited.claim("s1", "r2", later, later + LEASE)  # before r1's lease would have ended
    assert got is not None
    assert got.attempts == 3


def test_give_up_sends_the_held_email_once_and_ends_the_task(rig: Rig) -> None:
    opened(rig)
    assert rig.awaited.claim("s1", "r1", DUE, DUE + LEASE) is not None
    assert rig.awaited.give_up("s1", "r1") is True
    held = replace(email(), key=None)
    assert rig.sent() == [held]
    assert rig.awaited.give_up("s1", "r1") is False
    assert rig.awaited.due(DUE + timedelta(hours=1), 10) == []
    assert rig.sent() == [held]
    stored = rig.sightings.get("s1")
    assert stored == stranger()  # photo-less, as it was
