"""The whole door on AWS, through the use cases: build_aws over the moto server (DynamoDB, S3, SES, SNS,
Secrets Manager) and the served FakeRekognition, the outbox sent by the dispatcher, and the races with real
threads.

Frames are marked images: the fake reads each face's likeness from the bytes, and two faces are as similar
as ``100 * (1 - distance)`` of their likenesses, so "the same person" is a likeness a few thousandths away.
Each event is what the frame path makes of a frame (``search_frame``: one search per face), as the edge
would build it, then ``record_face_event`` runs it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import unquote

import pytest
from botocore.stub import Stubber

from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
from smartdoor.adapters.aws.photo_tags import REGISTERED, REGISTERED_TAG, UNREGISTERED
from smartdoor.adapters.aws.rekognition_faces import RekognitionFaceIndex
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.offline_aws import stand_up
from smartdoor.adapters.memory.rekognition import FakeRekognition, MarkedImageCropper, SeenFace, marked_image
from smartdoor.bootstrap import build_aws, build_outbox_dispatcher
from smartdoor.domain.errors import Conflict, StorageUnavailable
from smartdoor.domain.model import (
    AccessDecision,
    BoundingBox,
    FaceEvent,
    FaceOwner,
    Photo,
    Sighting,
    SightingStatus,
)
from smartdoor.services.access import DENIED, DoorClient, validate_otp
from smartdoor.services.authorization import LinkHolder, Owner
from smartdoor.services.console import forget_visitor
from smartdoor.services.context import Door
from smartdoor.services.decisions import approve_visitor, register_visitor
from smartdoor.services.sightings import record_face_event

from .conftest import Aws
from .door_settings import SETTINGS
from .sent_messages import email_texts, sms_texts

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BOX = BoundingBox(0.3, 0.2, 0.4, 0.5)
ADA = (0.30, 0.60)
STRANGER = (0.70, 0.20)
PHONE = "+12025550100"
RACERS = 20
T = TypeVar("T")


@dataclass
class DoorOnAws:
    door: Door
    dispatcher: OutboxDispatcher
    clock: ManualClock
    faces: RekognitionFaceIndex
    fake: FakeRekognition
    aws: Aws

    def event(self, likeness: tuple[float, ...], n: int) -> tuple[FaceEvent, bytes]:
        """Frame ``n`` of a face with this likeness, searched as the frame path searches it."""
        frame = marked_image(SeenFace(BOX, likeness))
        faces = self.faces.search_frame(frame, self.door.policy.match_threshold)
        return FaceEvent("KVS1", self.clock.now(), faces, f"KVS1/frame-{n}"), frame

    def emails(self) -> list[str]:
        return email_texts(self.aws)

    def texts(self) -> list[str]:
        return sms_texts(self.aws, to=PHONE)

    def sightings(self) -> list[Sighting]:
        return list(self.door.sightings.list(None, 100, None).items)


@pytest.fixture
def on_aws(aws: Aws) -> DoorOnAws:
    clients, fake = stand_up(aws.client, SETTINGS, "k" * 48)
    clock = ManualClock(T0)
    door = build_aws(SETTINGS, clients, clock, SequentialIds("id"), cropper=MarkedImageCropper())
    assert door.secret_key == b"k" * 48  # from the secret, not from the environment
    faces = door.faces
    assert isinstance(faces, RekognitionFaceIndex)
    dispatcher = build_outbox_dispatcher(SETTINGS, "test-dispatcher", clients, clock)
    return DoorOnAws(door, dispatcher, clock, faces, fake, aws)


def approve_link(email: str) -> str:
    found = re.search(r"/approve\?token=(\S+)", email)
    assert found is not None, email
    return unquote(found.group(1))


def passcode_in(sms: str) -> str:
    found = re.search(r"passcode is (\d+)\.", sms)
    assert found is not None, sms
    return found.group(1)


def register_ada(d: DoorOnAws) -> str:
    """A stranger becomes Ada through the owner's email link; returns her visitor id."""
    event, frame = d.event(ADA, 0)
    [sighting] = record_face_event(d.door, event, frame)
    assert d.dispatcher.run_once() == 1
    [email] = d.emails()
    link = LinkHolder(approve_link(email))
    approve_visitor(d.door, link, sighting.id, AccessDecision.APPROVE)
    registration = register_visitor(d.door, link, sighting.id, "Ada", PHONE)
    assert registration.passcode_sent
    assert d.dispatcher.run_once() == 1
    return registration.visitor.id


def test_a_stranger_is_emailed_about_registered_and_let_in_once(on_aws: DoorOnAws) -> None:
    d = on_aws
    event, frame = d.event(ADA, 0)
    assert event.faces[0].matches == ()  # an empty collection: a stranger
    [sighting] = record_face_event(d.door, event, frame)
    assert sighting.status is SightingStatus.PENDING
    assert d.emails() == []  # queued in the outbox, not sent: the dispatcher sends after commit
    assert d.dispatcher.run_once() == 1
    [email] = d.emails()
    assert "Someone you don't know yet is at your door." in email

    link = LinkHolder(approve_link(email))
    approve_visitor(d.door, link, sighting.id, AccessDecision.APPROVE)
    registration = register_visitor(d.door, link, sighting.id, "Ada", PHONE)
    assert registration.passcode_sent
    assert d.texts() == []
    assert d.dispatcher.run_once() == 1
    [sms] = d.texts()
    assert d.dispatcher.run_once() == 0  # sent once: the outbox item is marked

    stored = d.door.sightings.get(sighting.id)
    assert stored is not None
    assert (stored.status, stored.visitor_id) == (SightingStatus.REGISTERED, registration.visitor.id)
    assert d.door.visitors.get_by_face(sighting.face_id) == registration.visitor
    code, at_the_door = passcode_in(sms), DoorClient("203.0.113.7")
    granted = validate_otp(d.door, code, at_the_door)
    assert (granted.granted, granted.message) == (True, "Welcome, Ada!")
    again = validate_otp(d.door, code, at_the_door)
    assert (again.granted, again.message) == (False, DENIED)


def test_a_forgotten_visitor_s_faces_leave_the_collection_and_the_next_visit_is_a_stranger_s(
    on_aws: DoorOnAws,
) -> None:
    d = on_aws
    ada = register_ada(d)
    [face_id] = d.fake.face_ids(SETTINGS.rekognition_collection)
    assert d.door.owners.faces_of(FaceOwner.visitor(ada)) == (face_id,)  # through the byOwner index
    forget_visitor(d.door, Owner(), ada)
    assert d.fake.face_ids(SETTINGS.rekognition_collection) == set()
    assert (d.door.owners.get(face_id), d.door.visitors.get(ada)) == (None, None)
    d.clock.advance(minutes=11)
    event, frame = d.event(ADA, 1)
    [again] = record_face_event(d.door, event, frame)
    assert (again.status, again.visitor_id) == (SightingStatus.PENDING, None)


def photo_tags(d: DoorOnAws, photo: Photo | None) -> dict[str, str]:
    assert photo is not None
    tag_set = d.aws.s3().get_object_tagging(Bucket=photo.bucket, Key=photo.object_key)["TagSet"]
    return {tag["Key"]: tag["Value"] for tag in tag_set}


def test_a_stranger_s_snapshots_are_purgeable_until_registered(on_aws: DoorOnAws) -> None:
    d = on_aws
    event, frame = d.event(ADA, 0)
    [sighting] = record_face_event(d.door, event, frame)
    for photo in (sighting.photo, sighting.face_photo):
        assert photo_tags(d, photo) == {REGISTERED_TAG: UNREGISTERED}
    registration = register_visitor(d.door, Owner(), sighting.id, "Ada", PHONE)
    assert registration.visitor.photos == (sighting.photo, sighting.face_photo)
    for photo in registration.visitor.photos:
        assert photo_tags(d, photo) == {REGISTERED_TAG: REGISTERED}


def test_a_tag_change_that_fails_registers_nobody_and_a_retry_keeps_the_photos(on_aws: DoorOnAws) -> None:
    # GIVEN a stranger's sighting, and S3 refusing the tag change (PutObjectTagging) once
    d = on_aws
    event, frame = d.event(ADA, 0)
    [sighting] = record_face_event(d.door, event, frame)
    with Stubber(d.aws.s3()) as stub:
        stub.add_client_error("put_object_tagging", service_error_code="InternalError", http_status_code=500)
        with pytest.raises(StorageUnavailable):
            register_visitor(d.door, Owner(), sighting.id, "Ada", PHONE)
    # THEN no visitor exists whose photo the purge could take: the sighting is still a stranger's to decide
    stored = d.door.sightings.get(sighting.id)
    assert stored is not None
    assert (stored.status, stored.visitor_id) == (SightingStatus.PENDING, None)
    assert d.door.visitors.get_by_face(sighting.face_id) is None
    # WHEN the owner tries again, the visitor is registered with both photos kept
    registration = register_visitor(d.door, Owner(), sighting.id, "Ada", PHONE)
    for photo in registration.visitor.photos:
        assert photo_tags(d, photo) == {REGISTERED_TAG: REGISTERED}


def test_forgetting_a_visitor_deletes_their_photos_from_the_bucket(on_aws: DoorOnAws) -> None:
    d = on_aws
    ada = register_ada(d)
    d.clock.advance(minutes=11)
    event, frame = d.event(ADA, 1)
    [back] = record_face_event(d.door, event, frame)  # a returning visit's snapshots are hers too
    assert back.visitor_id == ada
    listed = d.aws.s3().list_objects_v2(Bucket=SETTINGS.photo_bucket)
    assert len(listed.get("Contents", [])) == 4
    forget_visitor(d.door, Owner(), ada)
    assert d.aws.s3().list_objects_v2(Bucket=SETTINGS.photo_bucket).get("KeyCount") == 0


def at_once(work: Callable[[int], T], count: int = RACERS) -> list[T | BaseException]:
    """Run ``work(n)`` on ``count`` threads released together; every outcome, errors included."""
    start, outcomes, lock = threading.Barrier(count), [], threading.Lock()

    def run(n: int) -> None:
        start.wait(timeout=30)
        try:
            outcome: T | BaseException = work(n)
        except BaseException as exc:  # a failure in a thread must reach the test, not vanish
            outcome = exc
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == count  # none still running
    return outcomes


def test_twenty_events_of_a_returning_visitor_at_once_send_one_sms(on_aws: DoorOnAws) -> None:
    d = on_aws
    ada = register_ada(d)
    d.clock.advance(minutes=11)  # past the visitor's cooldown and the phone's SMS windows
    events = [d.event((ADA[0], ADA[1] + n / 1000), n + 1) for n in range(RACERS)]
    assert all(e.faces[0].best_match() is not None for e, _ in events)  # each matches Ada's face

    outcomes = at_once(lambda n: record_face_event(d.door, *events[n]))

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    made = [s for o in outcomes if isinstance(o, list) for s in o]
    assert [(s.status, s.visitor_id) for s in made] == [(SightingStatus.KNOWN, ada)]
    assert d.dispatcher.run_once() == 1
    assert len(d.texts()) == 2  # the registration's, and this visit's one


def test_twenty_events_of_one_stranger_at_once_make_one_sighting_and_one_email(on_aws: DoorOnAws) -> None:
    d = on_aws
    # Frames that all missed the search (two cameras, two shards): each will index its own face.
    events = [d.event((STRANGER[0], STRANGER[1] + n / 1000), n) for n in range(RACERS)]
    assert all(e.faces[0].matches == () for e, _ in events)

    outcomes = at_once(lambda n: record_face_event(d.door, *events[n]))

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    made = [s for o in outcomes if isinstance(o, list) for s in o]
    assert len(made) == 1
    assert [s.id for s in d.sightings()] == [made[0].id]
    # The losers' faces are gone from the collection and from the ownership records.
    assert d.fake.face_ids(SETTINGS.rekognition_collection) == {made[0].face_id}
    owned = d.door.owners.get(made[0].face_id)
    assert owned is not None
    assert (owned.owner, owned.settled) == (FaceOwner.sighting(made[0].id), True)
    assert d.door.owners.faces_of(owned.owner) == (made[0].face_id,)
    assert d.dispatcher.run_once() == 1
    assert len(d.emails()) == 1


def test_approve_and_deny_at_once_one_wins_the_other_is_told(on_aws: DoorOnAws) -> None:
    d = on_aws
    event, frame = d.event(STRANGER, 0)
    [sighting] = record_face_event(d.door, event, frame)
    decisions = (AccessDecision.APPROVE, AccessDecision.DENY)

    outcomes = at_once(lambda n: approve_visitor(d.door, Owner(), sighting.id, decisions[n]), count=2)

    won = [o for o in outcomes if isinstance(o, Sighting)]
    lost = [o for o in outcomes if not isinstance(o, Sighting)]
    assert len(won) == 1
    assert len(lost) == 1
    assert isinstance(lost[0], Conflict)
    assert "already handled" in str(lost[0])
    stored = d.door.sightings.get(sighting.id)
    assert stored is not None
    assert stored.status is won[0].status
