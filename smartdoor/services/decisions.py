"""Flows 2 and 3: the owner decides about a new face; an approved face is registered as a visitor."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from smartdoor.domain.awaited_faces import is_awaiting_face
from smartdoor.domain.errors import Conflict, NotFound, PasscodeCollision, SmsLimitReached, StorageUnavailable
from smartdoor.domain.model import AccessDecision, DoorEventKind, Sighting, SightingStatus, Visitor
from smartdoor.domain.visitor_details import clean_name, clean_phone_number
from smartdoor.ports import RegistrationUnit
from smartdoor.services.authorization import Actor, authorize_for_sighting, link_claim, spend_link
from smartdoor.services.context import Door, log
from smartdoor.services.own_sightings import resolve_own_sightings
from smartdoor.services.passcodes import new_delivery, record_passcode

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
    if decision is AccessDecision.APPROVE:
        # An approving link stays usable for the registration that follows it. No read first: the
        # conditional transition itself raises NotFound or Conflict, as the read would have.
        approved = door.sightings.transition(
            sighting_id, UNDECIDED, SightingStatus.APPROVED, door.clock.now()
        )
        door.record(DoorEventKind.APPROVED, sighting_id=sighting_id, camera_id=approved.camera_id)
        return approved
    # Read first: a missing or decided sighting must not spend the link (the claim is a write of its own).
    _open_sighting(door, sighting_id, UNDECIDED)
    spend_link(door, grant)
    decided = door.sightings.transition(sighting_id, UNDECIDED, SightingStatus.DENIED, door.clock.now())
    door.record(DoorEventKind.DENIED, sighting_id=sighting_id, camera_id=decided.camera_id)
    log.info("sighting %s denied", sighting_id)
    return decided


def register_visitor(
    door: Door, actor: Actor, sighting_id: str, name: str, phone_number: str
) -> Registration:
    """Remember the face as this visitor and text them a passcode: one unit of work, all of it or nothing,
    so a failure anywhere leaves the sighting registrable for a retry."""
    clean = clean_name(name)
    phone = clean_phone_number(phone_number)
    grant = authorize_for_sighting(door, actor, sighting_id)
    sighting = _open_sighting(door, sighting_id, REGISTRABLE)
    if is_awaiting_face(sighting.face_id):
        # Its frame never came (or has not yet): a visitor made now would have no face to be known by.
        raise Conflict(
            "The door has no picture of this visitor's face yet, so it cannot learn them; "
            "turn them away, or enrol them from photos."
        )
    now = door.clock.now()
    visitor = Visitor(
        id=door.ids.new_id(),
        face_id=sighting.face_id,
        name=clean,
        phone_number=phone,
        photos=tuple(p for p in (sighting.photo, sighting.face_photo) if p is not None),
        created_at=now,
    )
    # Before the transaction, not after: S3 cannot join it, and this order's worst case (the registration then
    # fails and is never retried) is a stranger's snapshot kept past purge_days, never a visitor's purged.
    for photo in visitor.photos:
        door.photos.keep(photo)
    unit = RegistrationUnit(sighting_id, REGISTRABLE, visitor, link_claim(grant))
    sent = _register(door, unit, now)
    door.record(DoorEventKind.REGISTERED, sighting_id, visitor.id, sighting.camera_id, clean)
    record_passcode(door, visitor, sent)
    log.info("sighting %s registered as visitor %s", sighting_id, visitor.id)
    resolve_own_sightings(door, visitor, [sighting.face_id])  # their other pending sightings are theirs too
    return Registration(visitor, sent)


def _register(door: Door, unit: RegistrationUnit, now: datetime) -> bool:
    """Commit the unit with a fresh passcode, redrawing on a collision (the whole unit again); without one
    when the phone's SMS limit is reached. True when the passcode SMS is queued."""
    for _ in range(door.policy.code_attempts):
        try:
            door.registrations.register(replace(unit, delivery=new_delivery(door, unit.visitor, now)), now)
        except PasscodeCollision:
            continue  # another live code has these digits: draw again
        except SmsLimitReached:
            door.registrations.register(unit, now)
            return False
        return True
    raise StorageUnavailable("could not find a free passcode; too many live codes")
