"""Local frame upload grants: the form fields a door device posts to this server's /frames, signed with the
door's key, and their check when the form comes back.

The fields carry the key, the expiry and the size limit in the clear with an HMAC over all three, as an S3
POST policy carries its conditions; nothing is stored until the upload spends its key (a Claims claim).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from smartdoor.domain.errors import NotAllowed

_PURPOSE = b"smartdoor-frame-upload\x00"
KEY, EXPIRES, MAX_BYTES, SIGNATURE = "key", "expires", "max-bytes", "signature"


class UploadRefused(NotAllowed):
    """The form's grant is forged, altered, or no longer valid."""


@dataclass(frozen=True)
class UploadGrant:
    key: str
    expires_at: datetime
    max_bytes: int


def _signature(key: str, expires: str, max_bytes: str, secret: bytes) -> str:
    message = _PURPOSE + "\x00".join((key, expires, max_bytes)).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


class LocalUploadGrants:
    def __init__(self, base_url: str, secret: bytes) -> None:
        self._url = base_url.rstrip("/") + "/frames"
        self._secret = secret

    def grant(self, key: str, max_bytes: int, expires_at: datetime) -> tuple[str, dict[str, str]]:
        expires, size = str(int(expires_at.timestamp())), str(max_bytes)
        fields = {KEY: key, EXPIRES: expires, MAX_BYTES: size}
        return self._url, {**fields, SIGNATURE: _signature(key, expires, size, self._secret)}


def verify_upload(fields: Mapping[str, str], secret: bytes, now: datetime) -> UploadGrant:
    """The grant the form's fields carry; UploadRefused when a field is missing, altered or expired."""
    key, expires, size = fields.get(KEY, ""), fields.get(EXPIRES, ""), fields.get(MAX_BYTES, "")
    given = fields.get(SIGNATURE, "")
    expected = _signature(key, expires, size, secret)
    if not given.isascii() or not hmac.compare_digest(given, expected):
        raise UploadRefused("the upload grant's fields are not as signed")
    if not (expires.isdigit() and size.isdigit()):
        raise UploadRefused("the upload grant's fields are not as signed")
    expires_at = datetime.fromtimestamp(int(expires), UTC)
    if now >= expires_at:
        raise UploadRefused("the upload grant has expired: ask for a new one")
    return UploadGrant(key, expires_at, int(size))
