"""Issue a passcode and text it: shared by registration and returning visitors."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from smartdoor.domain.errors import PasscodeCollision, SmsLimitReached, StorageUnavailable
from smartdoor.domain.message_keys import passcode_sms_key
from smartdoor.domain.model import DoorEventKind, Visitor
from smartdoor.domain.passcodes import new_passcode
from smartdoor.ports import PasscodeDelivery, ThrottleRule
from smartdoor.services.context import Door, log
from smartdoor.services.messages import passcode_sms


def sms_limits(door: Door, phone_number: str) -> tuple[ThrottleRule, ...]:
    """Per-phone send limits (e.g. 1 a minute, 5 in 10 minutes), counted together: an SMS held back by one
    limit must not use up another's allowance."""
    return tuple(
        ThrottleRule(f"sms:{i}:{phone_number}", limit.count, limit.window)
        for i, limit in enumerate(door.policy.sms_limits)
    )


def new_delivery(door: Door, visitor: Visitor, now: datetime) -> PasscodeDelivery:
    """A freshly drawn code for this visitor, its stored form and its SMS (the code lives only in the SMS)."""
    code = door.codes()
    passcode = new_passcode(code, door.secret_key, visitor.id, now, door.policy.otp_lifetime)
    minutes = max(1, int(door.policy.otp_lifetime.total_seconds() // 60))
    sms = replace(
        passcode_sms(visitor.phone_number, visitor.name, code, minutes), key=passcode_sms_key(passcode)
    )
    return PasscodeDelivery(passcode, sms, sms_limits(door, visitor.phone_number))


def record_passcode(door: Door, visitor: Visitor, sent: bool) -> None:
    if sent:
        door.record(DoorEventKind.CODE_SENT, visitor_id=visitor.id, visitor_name=visitor.name)
        log.info("passcode sent to visitor %s", visitor.id)  # never the code itself
    else:
        door.record(DoorEventKind.CODE_HELD_BACK, visitor_id=visitor.id, visitor_name=visitor.name)
        log.warning("passcode SMS for visitor %s held back: the phone's send limit is reached", visitor.id)


def send_passcode(door: Door, visitor: Visitor) -> bool:
    """Issue a fresh code (unique among live codes) and queue its SMS, as one unit of work: a code never
    lives without its SMS. False when the phone's limit is reached."""
    now = door.clock.now()
    for _ in range(door.policy.code_attempts):
        delivery = new_delivery(door, visitor, now)
        try:
            door.registrations.issue_passcode(delivery, now)
        except PasscodeCollision:
            continue  # another live code has these digits: draw again (the unit counted no SMS)
        except SmsLimitReached:
            record_passcode(door, visitor, sent=False)
            return False
        record_passcode(door, visitor, sent=True)
        return True
    raise StorageUnavailable("could not find a free passcode; too many live codes")
