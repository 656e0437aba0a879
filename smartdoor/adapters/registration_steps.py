"""The steps of a registration, shared by the adapters that make them one unit (SQLite: a transaction; the
memory fake: its stores' locks and a rollback). Each step is a conditional write that raises on its own."""

from __future__ import annotations

from datetime import datetime

from smartdoor.domain.errors import SmsLimitReached
from smartdoor.domain.links import LinkUsed
from smartdoor.domain.model import FaceOwner, Sighting, SightingStatus
from smartdoor.ports import (
    Claims,
    FaceOwners,
    PasscodeDelivery,
    PasscodeStore,
    RegistrationUnit,
    SightingRepository,
    SmsSender,
    Throttle,
    VisitorRepository,
)


def apply_registration(
    unit: RegistrationUnit,
    now: datetime,
    sightings: SightingRepository,
    visitors: VisitorRepository,
    owners: FaceOwners,
    passcodes: PasscodeStore,
    throttle: Throttle,
    outbox: SmsSender,
    claims: Claims,
) -> Sighting:
    """Run every step; the caller undoes them all when one raises."""
    link = unit.link_claim
    if link is not None and not claims.claim(link.key, link.expires_at, now):
        raise LinkUsed("This link was already used.")
    # The conditional transition is the claim: of two concurrent registrations, one gets Conflict here.
    registered = sightings.transition(
        unit.sighting_id, unit.allowed_from, SightingStatus.REGISTERED, now, unit.visitor.id
    )
    visitors.add(unit.visitor)
    # Conditional on the sighting still owning it: a concurrent forget or registration cannot race it.
    owners.give(
        unit.visitor.face_id, FaceOwner.visitor(unit.visitor.id), FaceOwner.sighting(unit.sighting_id)
    )
    if unit.delivery is not None:
        apply_delivery(unit.delivery, now, passcodes, throttle, outbox)
    return registered


def apply_delivery(
    delivery: PasscodeDelivery, now: datetime, passcodes: PasscodeStore, throttle: Throttle, outbox: SmsSender
) -> None:
    """Count the phone's SMS limits, add the passcode, queue its SMS; the caller undoes them if one raises."""
    if not throttle.acquire_all(delivery.limits, now):
        raise SmsLimitReached("the phone's SMS limit is reached")
    passcodes.add(delivery.passcode, now)
    outbox.send(delivery.sms)
