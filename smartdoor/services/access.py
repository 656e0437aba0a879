"""The door itself: a typed passcode opens it once, for the visitor it was sent to."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.model import DoorEventKind
from smartdoor.domain.passcodes import hash_code, looks_like_code
from smartdoor.domain.policy import DoorPolicy
from smartdoor.ports import AttemptRule
from smartdoor.services.context import Door, log
from smartdoor.services.messages import failure_alert_email

DENIED = "Permission denied"


@dataclass(frozen=True)
class AccessResult:
    granted: bool
    message: str
    visitor_name: str | None = None


@dataclass(frozen=True)
class DoorClient:
    """Who types at the door: the network address the edge resolved (for IPv6 the /64 a host can roam in)
    and, when the door page's signed cookie came along, the device's id."""

    address: str
    device: str | None = None


def attempt_rules(policy: DoorPolicy, client: DoorClient) -> list[AttemptRule]:
    """A device counts under its own id; without a valid cookie the address gets one device's allowance.
    Every try also counts under the address, with a larger allowance, so new cookies buy a guesser little."""
    own = f"device:{client.device}" if client.device else f"cookieless:{client.address}"
    wide = AttemptRule(f"address:{client.address}", policy.address_lockout)
    return [AttemptRule(own, policy.lockout), wide]


def validate_otp(door: Door, otp: str, client: DoorClient) -> AccessResult:
    """Grant entry for a live code, consuming it. Wrong, expired and used codes get the same answer."""
    now = door.clock.now()
    rules = attempt_rules(door.policy, client)
    # Counted before the code is looked at, so parallel tries cannot outrun the lock they earn; a locked
    # client learns nothing about any code.
    admission = door.attempts.begin(rules, now)
    if not admission.admitted:
        until = admission.locked_until
        wait = max(1, math.ceil((until - now).total_seconds())) if until is not None else 1
        return AccessResult(False, f"{DENIED}. Too many wrong codes: try again in {wait} s.")

    candidate = otp.strip()
    passcode = (
        door.passcodes.consume(hash_code(candidate, door.secret_key), now)
        if looks_like_code(candidate)
        else None
    )
    visitor = door.visitors.get(passcode.visitor_id) if passcode else None
    if visitor is not None:
        # A visitor proved themselves here: lift the lock this try armed and start the count again.
        door.attempts.forgive([rule.client for rule in rules])
        door.record(DoorEventKind.DOOR_OPENED, visitor_id=visitor.id, visitor_name=visitor.name)
        log.debug("door opened for visitor %s", visitor.id)  # the timeline records it; this is the hot path
        return AccessResult(True, f"Welcome, {visitor.name}!", visitor.name)

    door.record(DoorEventKind.ACCESS_DENIED)
    if admission.locked_until is not None:
        door.record(DoorEventKind.LOCKED_OUT)
        log.warning("door client locked out until %s", admission.locked_until.isoformat())
    _count_failure(door)
    return AccessResult(False, DENIED)


def _count_failure(door: Door) -> None:
    now = door.clock.now()
    policy = door.policy
    minute = timedelta(minutes=1)
    within_budget = door.throttle.acquire("door:failures", policy.failure_budget_per_minute, minute, now)
    # One alert per ten minutes at most, so an attack does not also flood the owner's inbox.
    if not within_budget and door.throttle.acquire("door:failure-alert", 1, timedelta(minutes=10), now):
        log.warning("wrong-code budget exceeded; alerting the owner")
        try:
            door.mailer.send(failure_alert_email(policy.owner_email, policy.failure_budget_per_minute, now))
        except StorageUnavailable:
            log.exception("could not alert the owner about wrong codes")  # the door still answers
