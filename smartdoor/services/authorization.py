"""Who is asking: the owner (authenticated by the edge) or someone holding a signed email link."""

from __future__ import annotations

from dataclasses import dataclass

from smartdoor.domain.errors import NotAllowed
from smartdoor.domain.links import LinkGrant, LinkInvalid, LinkUsed, verify_link
from smartdoor.ports import Claim
from smartdoor.services.context import Door


@dataclass(frozen=True)
class Owner:
    """The edge checked the owner's credentials (local bearer token, Cognito on AWS)."""


@dataclass(frozen=True)
class LinkHolder:
    """Carries a token from the owner's email; it is verified here, never trusted by the edge."""

    token: str


@dataclass(frozen=True)
class Anonymous:
    """The public: the door page."""


Actor = Owner | LinkHolder | Anonymous


def acting_as(actor: Actor, token: str | None) -> Actor:
    """Who asks about one sighting: the signed-in owner wins; otherwise an email link's token speaks for
    its one sighting (verified by the use case, never by the edge)."""
    if isinstance(actor, Owner) or not token:
        return actor
    return LinkHolder(token)


def require_owner(actor: Actor) -> None:
    if not isinstance(actor, Owner):
        raise NotAllowed("This needs the owner's sign-in.")


def check_link(door: Door, actor: LinkHolder, sighting_id: str) -> LinkGrant:
    """Verify a link token for this sighting without using it up (for showing the approval page)."""
    grant = verify_link(actor.token, door.secret_key, door.clock.now())
    if grant.sighting_id != sighting_id:
        raise LinkInvalid("This link is for another visitor.")
    return grant


def authorize_for_sighting(door: Door, actor: Actor, sighting_id: str) -> LinkGrant | None:
    """Owner, or a valid link for this sighting. Returns the grant to spend once the action is allowed."""
    if isinstance(actor, Owner):
        return None
    if isinstance(actor, LinkHolder):
        return check_link(door, actor, sighting_id)
    raise NotAllowed("This needs the owner's sign-in or the link from the owner's email.")


def link_claim(grant: LinkGrant | None) -> Claim | None:
    """The once-only claim on the link's nonce (None for the owner), held until the link expires: after
    that the link itself is refused, so the claim may lapse."""
    if grant is None:
        return None
    return Claim(f"link:{grant.nonce}", grant.expires_at)


def spend_link(door: Door, grant: LinkGrant | None) -> None:
    """Claim the link's nonce; a second use of the same link fails here (one conditional write)."""
    claim = link_claim(grant)
    if claim is not None and not door.claims.claim(claim.key, claim.expires_at, door.clock.now()):
        raise LinkUsed("This link was already used.")
