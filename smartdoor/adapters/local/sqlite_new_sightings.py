"""A new sighting and the owner's email in one SQLite transaction: the email is a row of the outbox in the
same database, so it exists exactly when the sighting does."""

from __future__ import annotations

from smartdoor.adapters.local.database import Database
from smartdoor.adapters.local.outbox import Outbox
from smartdoor.adapters.local.sqlite_rows import storage
from smartdoor.adapters.local.sqlite_sightings import SqliteSightings
from smartdoor.domain.errors import Conflict
from smartdoor.domain.model import Email, Sighting


class SqliteNewSightings:
    def __init__(self, db: Database, sightings: SqliteSightings, outbox: Outbox) -> None:
        self._db = db
        self._sightings = sightings
        self._outbox = outbox

    def open(self, sighting: Sighting, email: Email) -> None:
        with storage("store the new sighting"), self._db.transaction() as conn:
            # Inside BEGIN IMMEDIATE: no other writer can add this id between the look and the insert.
            if conn.execute("SELECT 1 FROM sightings WHERE id = ?", (sighting.id,)).fetchone():
                raise Conflict(f"A sighting {sighting.id!r} already exists.")
            self._sightings.add(sighting)
            self._outbox.send(email)
