"""Door device tokens: the one credential of a laptop or Pi that uploads one camera's frames.

Signed as the email links are (signed_tokens.py) with the door's key, under a purpose of their own, so a
link token is never a device token and a device token never a link. A token names its camera and its own
id; it does not expire (a device runs for months): rotating the door's key revokes every token at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartdoor.domain.errors import NotAllowed
from smartdoor.domain.signed_tokens import sign_payload, signed_payload

_PURPOSE = b"smartdoor-device\x00"


class DeviceTokenInvalid(NotAllowed):
    """Not a device token of this door: forged, truncated, another purpose's, or signed with another key."""


@dataclass(frozen=True)
class DeviceGrant:
    camera_id: str
    token_id: str  # the device's own name in the request count, apart from other devices of the camera


def sign_device_token(grant: DeviceGrant, key: bytes) -> str:
    return sign_payload({"c": grant.camera_id, "t": grant.token_id}, _PURPOSE, key)


def verify_device_token(token: str, key: bytes) -> DeviceGrant:
    payload = signed_payload(token, _PURPOSE, key) or {}
    camera_id, token_id = payload.get("c"), payload.get("t")
    if not isinstance(camera_id, str) or not isinstance(token_id, str):
        raise DeviceTokenInvalid("This device token is not valid: ask the owner for a new one.")
    return DeviceGrant(camera_id, token_id)
