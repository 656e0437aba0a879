"""A visitor's own earlier sightings become theirs once they are enrolled or registered.

Without this, the face the camera indexed while they were a stranger keeps matching first (or ties with
their new faces, so the search cannot tell), and the person is never recognised: no passcode, no reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from smartdoor.domain.errors import Conflict, DomainError, NotFound
from smartdoor.domain.model import DoorEventKind, FaceOwner, OwnerKind, Sighting, SightingStatus, Visitor
from smartdoor.services.context import Door, log

RESOLVABLE = frozenset({SightingStatus.PENDING, SightingStatus.APPROVED})


def resolve_own_sightings(door: Door, visitor: Visitor, face_ids: Iterable[str]) -> tuple[Sighting, ...]:
    """Pending (or approved) sightings whose face matches one of ``face_ids`` become the visitor's:
    REGISTERED with the visitor's id, their face given to the visitor, a timeline line, the console told.
    A denied sighting keeps its status (the owner's word on that visit), but its face becomes theirs too.

    Best effort: the enrolment or registration has happened already, so a failure here is logged, not
    raised; the face then stays a stranger's until the owner decides about it.
    """
    resolved: list[Sighting] = []
    handled: set[str] = set()
    for face_id in face_ids:
        try:
            matches = door.faces.similar_faces(face_id, door.policy.match_threshold)
        except DomainError:
            log.exception("could not look for earlier sightings of visitor %s", visitor.id)
            continue
        for match in matches:
            try:
                owned = door.owners.get(match.face_id)
            except DomainError:
                log.exception("could not read whose face %s is", match.face_id)
                continue
            if owned is None or owned.owner.kind is not OwnerKind.SIGHTING or owned.owner.id in handled:
                continue  # another visitor's face, or one of this visitor's own
            sighting_id = owned.owner.id
            handled.add(sighting_id)
            try:
                moved = _resolve(door, visitor, sighting_id, match.face_id)
            except DomainError:
                log.exception("could not give sighting %s to visitor %s", sighting_id, visitor.id)
                continue
            if moved is not None:
                resolved.append(moved)
    return tuple(resolved)


def _resolve(door: Door, visitor: Visitor, sighting_id: str, face_id: str) -> Sighting | None:
    sighting = door.sightings.get(sighting_id)
    if sighting is None:
        return None
    mine, was = FaceOwner.visitor(visitor.id), FaceOwner.sighting(sighting_id)
    if sighting.status is SightingStatus.DENIED:
        door.owners.give(face_id, mine, was)
        log.info("denied sighting %s was visitor %s: the face is theirs now", sighting_id, visitor.id)
        return None
    try:
        # Conditional: an owner deciding this sighting at the same moment wins or loses cleanly.
        moved = door.sightings.transition(
            sighting_id, RESOLVABLE, SightingStatus.REGISTERED, door.clock.now(), visitor.id
        )
    except (Conflict, NotFound):
        return None
    door.owners.give(face_id, mine, was)
    door.record(DoorEventKind.REGISTERED, sighting_id, visitor.id, sighting.camera_id, visitor.name)
    door.publisher.publish(moved)
    log.info("sighting %s was visitor %s: registered as them", sighting_id, visitor.id)
    return moved
