"""Signed, expiring links for the owner's email: approve or deny one sighting without logging in."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from smartdoor.domain.errors import NotAllowed


class LinkInvalid(NotAllowed):
    """The token was tampered with, truncated, or signed with another key."""


class LinkExpired(NotAllowed):
    """The token was genuine but its time is up."""


class LinkUsed(NotAllowed):
    """The token was genuine but has been used already."""


@dataclass(frozen=True)
class LinkGrant:
    sighting_id: str
    expires_at: datetime
    nonce: str  # makes each link single-use: the nonce is claimed when the link is used


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(body: str, key: bytes) -> str:
    # Domain-separated from the passcode hash so one can never stand in for the other.
    return _b64(hmac.new(key, b"smartdoor-link\x00" + body.encode("ascii"), hashlib.sha256).digest())


def sign_link(grant: LinkGrant, key: bytes) -> str:
    payload = {"s": grant.sighting_id, "e": int(grant.expires_at.timestamp()), "n": grant.nonce}
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(body, key)}"


def verify_link(token: str, key: bytes, now: datetime) -> LinkGrant:
    body, _, mac = token.partition(".")
    well_formed = bool(body) and bool(mac) and body.isascii() and mac.isascii()
    if not well_formed or not hmac.compare_digest(mac, _mac(body, key)):
        raise LinkInvalid("This link is not valid. Open the latest email from your door.")
    try:
        payload = json.loads(_unb64(body))
        grant = LinkGrant(
            sighting_id=str(payload["s"]),
            expires_at=datetime.fromtimestamp(int(payload["e"]), tz=UTC),
            nonce=str(payload["n"]),
        )
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise LinkInvalid("This link is not valid. Open the latest email from your door.") from exc
    if now >= grant.expires_at:
        raise LinkExpired("This link has expired. Use the console to decide about this visitor.")
    return grant
