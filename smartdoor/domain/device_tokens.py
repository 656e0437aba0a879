"""Door device tokens: the one credential of a laptop or Pi that uploads one camera's frames.

Signed like the email links (links.py) with the door's key, under a purpose of their own, so a link token is
never a device token and a device token never a link. A token names its camera and its own id; it does not
expire (a device runs for months): rotating the door's key revokes every token at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

from smartdoor.domain.errors import NotAllowed

_PURPOSE = b"smartdoor-device\x00"


class DeviceTokenInvalid(NotAllowed):
    """Not a device token of this door: forged, truncated, another purpose's, or signed with another key."""


@dataclass(frozen=True)
class DeviceGrant:
    camera_id: str
    token_id: str  # the device's own name in the request count, apart from other devices of the camera


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(body: str, key: bytes) -> str:
    return _b64(hmac.new(key, _PURPOSE + body.encode("ascii"), hashlib.sha256).digest())


def sign_device_token(grant: DeviceGrant, key: bytes) -> str:
    payload = {"c": grant.camera_id, "t": grant.token_id}
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(body, key)}"


def verify_device_token(token: str, key: bytes) -> DeviceGrant:
    body, _, mac = token.partition(".")
    well_formed = bool(body) and bool(mac) and body.isascii() and mac.isascii()
    if not well_formed or not hmac.compare_digest(mac, _mac(body, key)):
        raise DeviceTokenInvalid("This device token is not valid: ask the owner for a new one.")
    try:
        payload = json.loads(_unb64(body))
        camera_id, token_id = payload["c"], payload["t"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise DeviceTokenInvalid("This device token is not valid: ask the owner for a new one.") from exc
    if not isinstance(camera_id, str) or not isinstance(token_id, str):
        raise DeviceTokenInvalid("This device token is not valid: ask the owner for a new one.")
    return DeviceGrant(camera_id, token_id)
