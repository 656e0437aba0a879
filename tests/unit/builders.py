"""Face events and visitors for unit tests."""

from __future__ import annotations

from datetime import datetime

from smartdoor.domain.model import BoundingBox, DetectedFace, FaceEvent, FaceMatch, Visitor
from smartdoor.services.authorization import Owner
from smartdoor.services.decisions import register_visitor
from smartdoor.services.sightings import record_face_event
from tests.unit.conftest import Fakes

BOX = BoundingBox(0.4, 0.2, 0.2, 0.3)


def unknown_face(at: datetime, camera: str = "front-door") -> FaceEvent:
    return FaceEvent(camera, at, (DetectedFace(BOX, 99.0),))


def matching(at: datetime, face_id: str, label: str | None, similarity: float = 99.0) -> FaceEvent:
    return FaceEvent("front-door", at, (DetectedFace(BOX, 99.0, (FaceMatch(face_id, similarity, label),)),))


def registered_visitor(fakes: Fakes, name: str = "Ada", phone: str = "+442079460958") -> Visitor:
    """GIVEN helper: a face arrives, the owner registers it. Leaves one SMS in fakes.sms.sent."""
    [sighting] = record_face_event(fakes.door, unknown_face(fakes.clock.now()), b"\xff\xd8jpeg")
    return register_visitor(fakes.door, Owner(), sighting.id, name, phone).visitor
