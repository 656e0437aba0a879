"""Register a visitor from photos (no door visit, no owner approval: the owner is the one enrolling)."""

from __future__ import annotations

from dataclasses import dataclass

from smartdoor.domain.errors import InvalidInput
from smartdoor.domain.model import DetectedFace, FaceOwner, OwnedFace, Sighting, Visitor
from smartdoor.domain.visitor_details import clean_name, clean_phone_number
from smartdoor.services.authorization import Actor, require_owner
from smartdoor.services.context import Door, log
from smartdoor.services.own_sightings import resolve_own_sightings


@dataclass(frozen=True)
class Enrolment:
    visitor: Visitor
    resolved: tuple[Sighting, ...]  # the visitor's own pending sightings, now registered as them


@dataclass(frozen=True)
class EnrolmentPhoto:
    face: DetectedFace  # exactly one face, found by the caller in ``image``
    image: bytes  # JPEG


def enroll_visitor(
    door: Door, actor: Actor, name: str, phone_number: str, photos: list[EnrolmentPhoto]
) -> Enrolment:
    """Index every photo's face under one new visitor; the first photo's face is the visitor's faceId.

    Sightings of this person still waiting for the owner become the visitor's, so the camera knows them."""
    require_owner(actor)
    clean, phone = clean_name(name), clean_phone_number(phone_number)
    if not photos:
        raise InvalidInput("photos", "Give at least one photo with exactly one face.")
    now = door.clock.now()
    visitor_id = door.ids.new_id()
    face_ids, stored = [], []
    for n, photo in enumerate(photos, start=1):
        face_id = door.faces.index_face(photo.face, photo.image)
        door.owners.add(OwnedFace(face_id, FaceOwner.visitor(visitor_id), now))
        face_ids.append(face_id)
        stored.append(
            door.photos.put(f"visitors/{visitor_id}/enrolled-{n}.jpg", photo.image, "image/jpeg", now)
        )
    visitor = Visitor(visitor_id, face_ids[0], clean, phone, tuple(stored), now)
    door.visitors.add(visitor)
    log.info("visitor %s enrolled from %d photos", visitor_id, len(photos))
    return Enrolment(visitor, resolve_own_sightings(door, visitor, face_ids))
