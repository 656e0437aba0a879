"""The claim that lets one piece of work of a re-delivered event (a face of a frame, a frame's search) run
once: taken with a short lease, then remembered past every re-delivery when done, or given back on failure.
"""

from __future__ import annotations

from smartdoor.domain.errors import StorageUnavailable
from smartdoor.services.context import Door, log


def claim_event(door: Door, key: str) -> bool:
    """Whether this delivery holds ``key`` now (False: done already, or another delivery is at it)."""
    # A short lease first: if this handler dies mid-way, the claim lapses and the event's retry runs.
    now = door.clock.now()
    return door.claims.claim(key, now + door.policy.face_event_lease, now)


def settle_event(door: Door, key: str, done: bool) -> None:
    """Done: remember the event past every re-delivery. Failed: give the claim back for the retry."""
    try:
        if done:
            door.claims.extend(key, door.clock.now() + door.policy.face_event_memory)
        else:
            door.claims.release(key)
    except StorageUnavailable:
        # Either way the lease still ends on its own; only then could a re-delivery run again.
        log.exception("could not settle the claim on %s", key)
