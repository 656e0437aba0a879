"""Flows 2 and 3: the owner decides about a new face; an approved face is registered as a visitor."""

from __future__ import annotations

from dataclasses import dataclass

from smartdoor.domain.errors import Conflict, NotFound
from smartdoor.domain.model import AccessDecision, DoorEventKind, Sighting, SightingStatus, Visitor
from smartdoor.domain.visitor_details import clean_name, clean_phone_number
from smartdoor.services.authorization import Actor, authorize_for_sighting, spend_link
from smartdoor.services.context import Door, log
from smartdoor.services.own_sightings import resolve_own_sightings
from smartdoor.services.passcodes import send_passcode
from smartdoor.services.sightings import VISITOR_PREFIX

UNDECIDED = frozenset({SightingStatus.PENDING})
REGISTRABLE = frozenset({SightingStatus.PENDING, SightingStatus.APPROVED})


@dataclass(frozen=True)
class Registration:
    visitor: Visitor
    passcode_sent: bool


def _open_sighting(door: Door, sighting_id: str, allowed: frozenset[SightingStatus]) -> Sighting:
    sighting = door.sightings.get(sighting_id)
    if sighting is None:
        raise NotFound(f"No sighting {sighting_id!r}.")
    if sighting.status not in allowed:
        raise Conflict(f"This visitor was already handled: {sighting.status.value.lower()}.")
    return sighting


def approve_visitor(door: Door, actor: Actor, sighting_id: str, decision: AccessDecision) -> Sighting:
    """APPROVE lets registration go on; DENY keeps the face quiet for the deny cooldown."""
    grant = authorize_for_sighting(door, actor, sighting_id)
    _open_sighting(door, sighting_id, UNDECIDED)
    if decision is AccessDecision.APPROVE:
        # An approving link stays usable for the registration that follows it.
        approved = door.sightings.transition(
            sighting_id, UNDECIDED, SightingStatus.APPROVED, door.clock.now()
        )
        door.record(DoorEventKind.APPROVED, sighting_id=sighting_id, camera_id=approved.camera_id)
        return approved
    spend_link(door, grant)
    decided = door.sightings.transition(sighting_id, UNDECIDED, SightingStatus.DENIED, door.clock.now())
    door.record(DoorEventKind.DENIED, sighting_id=sighting_id, camera_id=decided.camera_id)
    log.info("sighting %s denied", sighting_id)
    return decided


def register_visitor(
    door: Door, actor: Actor, sighting_id: str, name: str, phone_number: str
) -> Registration:
    """Remember the face as this visitor and text them a passcode."""
    clean = clean_name(name)
    phone = clean_phone_number(phone_number)
    grant = authorize_for_sighting(door, actor, sighting_id)
    sighting = _open_sighting(door, sighting_id, REGISTRABLE)
    spend_link(door, grant)
    now = door.clock.now()
    visitor_id = door.ids.new_id()
    # The conditional transition is the claim: of two concurrent registrations, one gets Conflict here.
    door.sightings.transition(sighting_id, REGISTRABLE, SightingStatus.REGISTERED, now, visitor_id)
    visitor = Visitor(
        id=visitor_id,
        face_id=sighting.face_id,
        name=clean,
        phone_number=phone,
        photos=tuple(p for p in (sighting.photo, sighting.face_photo) if p is not None),
        created_at=now,
    )
    door.visitors.add(visitor)
    door.faces.relabel(sighting.face_id, f"{VISITOR_PREFIX}{visitor_id}")
    door.record(DoorEventKind.REGISTERED, sighting_id, visitor_id, sighting.camera_id, clean)
    log.info("sighting %s registered as visitor %s", sighting_id, visitor_id)
    resolve_own_sightings(door, visitor, [sighting.face_id])  # their other pending sightings are theirs too
    return Registration(visitor, send_passcode(door, visitor))
