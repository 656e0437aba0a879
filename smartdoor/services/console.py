"""What the owner's console reads and the one destructive thing it does: forget a visitor."""

from __future__ import annotations

from smartdoor.domain.errors import InvalidInput, NotFound
from smartdoor.domain.model import (
    DoorEvent,
    DoorEventKind,
    FaceOwner,
    Page,
    Sighting,
    SightingStatus,
    Visitor,
)
from smartdoor.services.authorization import Actor, LinkHolder, check_link, require_owner
from smartdoor.services.context import Door, log

MAX_PAGE = 100


def _limit(limit: int | None) -> int:
    if limit is None:
        return 20
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput("limit", f"limit must be between 1 and {MAX_PAGE}.")
    return limit


def list_sightings(
    door: Door, actor: Actor, status: SightingStatus | None, limit: int | None, next_token: str | None
) -> Page[Sighting]:
    require_owner(actor)
    return door.sightings.list(status, _limit(limit), next_token)


def get_sighting(door: Door, actor: Actor, sighting_id: str) -> Sighting | None:
    """The owner sees any sighting; an email link shows only its own (for the approval page)."""
    if isinstance(actor, LinkHolder):
        check_link(door, actor, sighting_id)
    else:
        require_owner(actor)
    return door.sightings.get(sighting_id)


def list_visitors(door: Door, actor: Actor, limit: int | None, next_token: str | None) -> Page[Visitor]:
    require_owner(actor)
    return door.visitors.list(_limit(limit), next_token)


def list_events(door: Door, actor: Actor, limit: int | None, next_token: str | None) -> Page[DoorEvent]:
    """The owner's timeline: arrivals, decisions, codes sent, the door opened or not."""
    require_owner(actor)
    return door.events.list(_limit(limit), next_token)


def get_visitor(door: Door, actor: Actor, visitor_id: str) -> Visitor | None:
    require_owner(actor)
    return door.visitors.get(visitor_id)


def forget_visitor(door: Door, actor: Actor, visitor_id: str) -> Visitor:
    """Delete the visitor, their face and their photos: the next visit is a stranger's."""
    require_owner(actor)
    visitor = door.visitors.delete(visitor_id)
    if visitor is None:
        raise NotFound(f"No visitor {visitor_id!r}.")
    # Exactly the faces our records give them (Rekognition cannot list faces by label without a scan);
    # the index first, so a failure between the two leaves rows that still say whose a face was.
    face_ids = door.owners.faces_of(FaceOwner.visitor(visitor.id))
    door.faces.delete(face_ids)
    door.owners.delete(face_ids)
    for photo in visitor.photos:
        door.photos.delete(photo)
    door.record(DoorEventKind.VISITOR_FORGOTTEN, visitor_id=visitor.id, visitor_name=visitor.name)
    log.info("visitor %s forgotten", visitor_id)
    return visitor
