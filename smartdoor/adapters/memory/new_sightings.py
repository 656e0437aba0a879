"""The in-memory new-sighting unit: the sighting store's lock held across the unit, and the sighting taken
back when the mailer refuses the email, as a rolled-back transaction would."""

from __future__ import annotations

from smartdoor.adapters.memory.messaging import MemoryMailer
from smartdoor.adapters.memory.stores import MemorySightings
from smartdoor.domain.errors import Conflict
from smartdoor.domain.model import Email, Sighting


class MemoryNewSightings:
    def __init__(self, sightings: MemorySightings, mailer: MemoryMailer) -> None:
        self._sightings = sightings
        self._mailer = mailer

    def open(self, sighting: Sighting, email: Email) -> None:
        with self._sightings._lock:  # re-entrant: add takes it again
            if sighting.id in self._sightings.items:
                raise Conflict(f"A sighting {sighting.id!r} already exists.")
            self._sightings.add(sighting)
            try:
                self._mailer.send(email)  # the last step: when it raises, it has queued nothing
            except BaseException:
                del self._sightings.items[sighting.id]
                raise
