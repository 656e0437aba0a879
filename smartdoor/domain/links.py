"""Signed, expiring links for the owner's email: approve or deny one sighting without logging in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from smartdoor.domain.errors import NotAllowed
from smartdoor.domain.signed_tokens import sign_payload, signed_payload


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


# Domain-separated from the passcode hash and the device tokens so one can never stand in for another.
_PURPOSE = b"smartdoor-link\x00"


def sign_link(grant: LinkGrant, key: bytes) -> str:
    payload = {"s": grant.sighting_id, "e": int(grant.expires_at.timestamp()), "n": grant.nonce}
    return sign_payload(payload, _PURPOSE, key)


def verify_link(token: str, key: bytes, now: datetime) -> LinkGrant:
    payload = signed_payload(token, _PURPOSE, key)
    invalid = LinkInvalid("This link is not valid. Open the latest email from your door.")
    if payload is None:
        raise invalid
    try:
        grant = LinkGrant(
            sighting_id=str(payload["s"]),
            expires_at=datetime.fromtimestamp(int(payload["e"]), tz=UTC),
            nonce=str(payload["n"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise invalid from exc
    if now >= grant.expires_at:
        raise LinkExpired("This link has expired. Use the console to decide about this visitor.")
    return grant
