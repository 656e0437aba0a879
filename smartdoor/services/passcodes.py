"""Issue a passcode and text it: shared by registration and returning visitors."""

from __future__ import annotations

from smartdoor.domain.errors import PasscodeCollision, StorageUnavailable
from smartdoor.domain.model import DoorEventKind, Visitor
from smartdoor.domain.passcodes import new_passcode
from smartdoor.ports import ThrottleRule
from smartdoor.services.context import Door, log
from smartdoor.services.messages import passcode_sms


def sms_allowed(door: Door, phone_number: str) -> bool:
    """Per-phone send limits (e.g. 1 a minute, 5 in 10 minutes), counted together: an SMS held back by one
    limit must not use up another's allowance."""
    rules = [
        ThrottleRule(f"sms:{i}:{phone_number}", limit.count, limit.window)
        for i, limit in enumerate(door.policy.sms_limits)
    ]
    return door.throttle.acquire_all(rules, door.clock.now())


def send_passcode(door: Door, visitor: Visitor) -> bool:
    """Issue a fresh code (unique among live codes) and text it. False when the phone's limit is reached."""
    if not sms_allowed(door, visitor.phone_number):
        door.record(DoorEventKind.CODE_HELD_BACK, visitor_id=visitor.id, visitor_name=visitor.name)
        log.warning("passcode SMS for visitor %s held back: the phone's send limit is reached", visitor.id)
        return False
    now = door.clock.now()
    for _ in range(door.policy.code_attempts):
        code = door.codes()
        try:
            door.passcodes.add(
                new_passcode(code, door.secret_key, visitor.id, now, door.policy.otp_lifetime), now
            )
        except PasscodeCollision:
            continue  # another live code has these digits: draw again
        minutes = max(1, int(door.policy.otp_lifetime.total_seconds() // 60))
        door.sms.send(passcode_sms(visitor.phone_number, visitor.name, code, minutes))
        door.record(DoorEventKind.CODE_SENT, visitor_id=visitor.id, visitor_name=visitor.name)
        log.info("passcode sent to visitor %s", visitor.id)  # never the code itself
        return True
    raise StorageUnavailable("could not find a free passcode; too many live codes")
