"""Enrolling or registering a person wins over their own pending sighting (issue 7)."""

from __future__ import annotations

import pytest

from smartdoor.domain.model import BoundingBox, DetectedFace, FaceEvent, SightingStatus
from smartdoor.services.authorization import Owner
from smartdoor.services.decisions import register_visitor
from smartdoor.services.enrollment import EnrolmentPhoto, enroll_visitor
from smartdoor.services.sightings import record_face_event
from tests.unit.builders import matching
from tests.unit.conftest import Fakes

pytestmark = pytest.mark.unit

BOX = BoundingBox(0.4, 0.2, 0.2, 0.3)
ADA = tuple(0.01 * n for n in range(128))  # the memory index takes equal descriptors for one person
EVE = tuple(-0.01 * n for n in range(128))


def stranger(fakes: Fakes, descriptor: tuple[float, ...]) -> FaceEvent:
    return FaceEvent("front-door", fakes.clock.now(), (DetectedFace(BOX, 99.0, descriptor=descriptor),))


def test_enrolling_a_person_resolves_their_pending_sighting_and_the_next_visit_gets_a_code(
    fakes: Fakes,
) -> None:
    # GIVEN the camera saw Ada as a stranger, and Eve too
    [ada_seen] = record_face_event(fakes.door, stranger(fakes, ADA), b"\xff\xd8jpeg")
    [eve_seen] = record_face_event(fakes.door, stranger(fakes, EVE), b"\xff\xd8jpeg")
    fakes.clock.advance(minutes=1)
    # WHEN the owner enrols Ada from a photo
    photo = EnrolmentPhoto(DetectedFace(BOX, 99.0, descriptor=ADA), b"\xff\xd8photo")
    enrolment = enroll_visitor(fakes.door, Owner(), "Ada", "+442079460958", [photo])
    ada = enrolment.visitor
    # THEN her sighting is hers (registered, its face relabelled), Eve's is untouched, the console is told
    resolved = fakes.sightings.get(ada_seen.id)
    assert resolved is not None
    assert (resolved.status, resolved.visitor_id, resolved.decided_at) == (
        SightingStatus.REGISTERED,
        ada.id,
        fakes.clock.now(),
    )
    assert enrolment.resolved == (resolved,)
    assert fakes.owners.labels()[ada_seen.face_id] == f"visitor-{ada.id}"
    assert fakes.sightings.get(eve_seen.id) == eve_seen
    assert fakes.publisher.published[-1] == resolved
    last = fakes.events.events[-1]
    assert (last.kind.value, last.sighting_id, last.visitor_id, last.visitor_name) == (
        "REGISTERED",
        ada_seen.id,
        ada.id,
        "Ada",
    )
    # AND her next visit, matching the face first seen as a stranger, sends her a passcode
    fakes.clock.advance(minutes=1)
    label = fakes.owners.labels()[ada_seen.face_id]
    [back] = record_face_event(fakes.door, matching(fakes.clock.now(), ada_seen.face_id, label))
    assert back.status is SightingStatus.KNOWN
    [sms] = fakes.sms.sent
    assert sms.phone_number == "+442079460958"


def test_registering_a_person_resolves_their_other_pending_sighting(fakes: Fakes) -> None:
    # GIVEN Ada was seen as a stranger on two visits, both still waiting for the owner (the frames missed
    # the search: within the new-face window they would have been one sighting)
    [first] = record_face_event(fakes.door, stranger(fakes, ADA))
    fakes.clock.advance(minutes=11)
    [second] = record_face_event(fakes.door, stranger(fakes, ADA))
    # WHEN the owner registers the first
    ada = register_visitor(fakes.door, Owner(), first.id, "Ada", "+442079460958").visitor
    # THEN the second is hers too: no stranger left waiting, one SMS
    other = fakes.sightings.get(second.id)
    assert other is not None
    assert (other.status, other.visitor_id) == (SightingStatus.REGISTERED, ada.id)
    assert fakes.owners.labels()[second.face_id] == f"visitor-{ada.id}"
    assert len(fakes.sms.sent) == 1


def test_a_denied_sighting_keeps_its_status_but_its_face_becomes_the_visitors(fakes: Fakes) -> None:
    from smartdoor.domain.model import AccessDecision
    from smartdoor.services.decisions import approve_visitor

    [seen] = record_face_event(fakes.door, stranger(fakes, ADA))
    approve_visitor(fakes.door, Owner(), seen.id, AccessDecision.DENY)
    photo = EnrolmentPhoto(DetectedFace(BOX, 99.0, descriptor=ADA), b"\xff\xd8photo")
    enrolment = enroll_visitor(fakes.door, Owner(), "Ada", "+442079460958", [photo])
    denied = fakes.sightings.get(seen.id)
    assert denied is not None
    assert denied.status is SightingStatus.DENIED  # the owner's decision about that visit stands
    assert enrolment.resolved == ()
    # the enrolment is the newer word about this face: a later visit is hers, not a denied stranger's
    assert fakes.owners.labels()[seen.face_id] == f"visitor-{enrolment.visitor.id}"
