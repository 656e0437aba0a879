"""AwaitedPhotos in memory: one lock held across each step, as each is one transaction on DynamoDB. The
held email goes to the mailer only when the photo is filled or given up on."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime

from smartdoor.adapters.memory.messaging import MemoryMailer
from smartdoor.adapters.memory.stores import MemoryFaceOwners, MemorySightings
from smartdoor.domain.errors import Conflict
from smartdoor.domain.model import Email, Sighting
from smartdoor.ports import FilledPhoto, PhotoTask


@dataclass
class HeldEmail:
    """A task as a test sees it: the held email, when it is due, and who holds it until when."""

    task: PhotoTask
    email: Email
    due_at: datetime
    claimed_by: str | None = None
    claimed_until: datetime | None = None


class MemoryAwaitedPhotos:
    def __init__(self, sightings: MemorySightings, owners: MemoryFaceOwners, mailer: MemoryMailer) -> None:
        self._sightings = sightings
        self._owners = owners
        self._mailer = mailer
        self.held: dict[str, HeldEmail] = {}  # by sighting id, until filled or given up on
        self._lock = threading.RLock()

    def open(self, sighting: Sighting, email: Email, task: PhotoTask, due_at: datetime) -> None:
        with self._lock, self._sightings._lock:
            if sighting.id in self._sightings.items:
                raise Conflict(f"A sighting {sighting.id!r} already exists.")
            self._sightings.add(sighting)
            self.held[sighting.id] = HeldEmail(task, email, due_at)

    def due(self, now: datetime, limit: int) -> list[str]:
        with self._lock:
            due = sorted((h.due_at, sid) for sid, h in self.held.items() if h.due_at <= now)
        return [sid for _, sid in due[:limit]]

    def claim(self, sighting_id: str, runner: str, now: datetime, until: datetime) -> PhotoTask | None:
        with self._lock:
            held = self.held.get(sighting_id)
            if held is None or held.due_at > now:
                return None
            if held.claimed_until is not None and held.claimed_until > now:
                return None
            held.task = replace(held.task, attempts=held.task.attempts + 1)
            held.claimed_by, held.claimed_until = runner, until
            return held.task

    def _holds(self, sighting_id: str, runner: str) -> HeldEmail | None:
        held = self.held.get(sighting_id)
        return held if held is not None and held.claimed_by == runner else None

    def fill(self, sighting_id: str, runner: str, filled: FilledPhoto) -> bool:
        with self._lock, self._sightings._lock, self._owners._lock:
            sighting = self._sightings.items.get(sighting_id)
            if self._holds(sighting_id, runner) is None or sighting is None or sighting.photo is not None:
                return False
            if filled.face is not None and filled.face.face_id in self._owners.items:
                return False
            self._mailer.send(filled.email)  # first: when it raises, nothing is written
            if filled.face is not None:
                self._owners.items[filled.face.face_id] = filled.face
                sighting = replace(sighting, face_id=filled.face.face_id)
            self._sightings.items[sighting_id] = replace(
                sighting, photo=filled.photo, face_photo=filled.face_photo
            )
            del self.held[sighting_id]
            return True

    def postpone(self, sighting_id: str, runner: str, due_at: datetime) -> None:
        with self._lock:
            held = self._holds(sighting_id, runner)
            if held is not None:
                held.due_at, held.claimed_until = due_at, None

    def give_up(self, sighting_id: str, runner: str) -> bool:
        with self._lock:
            held = self._holds(sighting_id, runner)
            if held is None:
                return False
            self._mailer.send(held.email)
            del self.held[sighting_id]
            return True
