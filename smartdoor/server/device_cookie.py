"""The door page's device cookie: a random device id signed with the server's key, so the lock-out can
count one phone's typos apart from the other devices on its network. A forged or altered cookie is no
cookie: it cannot buy a guesser a fresh count."""

from __future__ import annotations

import base64
import hashlib
import hmac

COOKIE = "smartdoor_device"
MAX_AGE = 400 * 24 * 3600  # browsers cap cookie lifetimes at 400 days
_PURPOSE = b"door-device:"  # keeps these signatures apart from every other use of the key


def _signature(device_id: str, key: bytes) -> str:
    digest = hmac.new(key, _PURPOSE + device_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(device_id: str, key: bytes) -> str:
    return f"{device_id}.{_signature(device_id, key)}"


def device_id(cookie: str | None, key: bytes) -> str | None:
    """The device id in a valid cookie, else None."""
    if not cookie:
        return None
    device, dot, signature = cookie.rpartition(".")
    if not dot or not device or len(cookie) > 200:
        return None
    return device if hmac.compare_digest(signature.encode(), _signature(device, key).encode()) else None


def set_cookie_header(value: str, secure: bool) -> str:
    # HttpOnly: page scripts never need it; SameSite=Strict: another site's page cannot spend its tries.
    attributes = f"{COOKIE}={value}; Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Strict"
    return attributes + ("; Secure" if secure else "")
