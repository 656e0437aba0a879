"""Loaded into the resolvers worker (``--preload``) by the cloud tier: one passcode that meets a rate limit.

No use case raises RateLimited through AppSync yet, but the RESPONSE mapping template must carry its
retryAfter to the client; this makes one case of it reachable, for that test alone.
"""

from __future__ import annotations

from typing import Any

from smartdoor.domain.errors import RateLimited
from smartdoor.services import access
from tests.cloud.fault_codes import RATE_LIMITED_CODE, RETRY_AFTER

_validate_otp = access.validate_otp


def _validate_or_limit(door: Any, otp: str, client: Any) -> Any:
    if otp == RATE_LIMITED_CODE:
        raise RateLimited("Too many tries; try again shortly.", retry_after=RETRY_AFTER)
    return _validate_otp(door, otp, client)


access.validate_otp = _validate_or_limit
