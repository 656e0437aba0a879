"""The door's timeline in SQLite."""

from __future__ import annotations

from typing import Any

from smartdoor.adapters.local.database import Database, from_micros, to_micros
from smartdoor.adapters.local.sqlite_rows import newest_first, storage
from smartdoor.domain.model import DoorEvent, DoorEventKind, Page

_COLUMNS = "id, kind, at, sighting_id, visitor_id, camera_id, visitor_name"


def _event(row: Any) -> DoorEvent:
    id_, kind, at, sighting_id, visitor_id, camera_id, name = row
    return DoorEvent(id_, DoorEventKind(kind), from_micros(at), sighting_id, visitor_id, camera_id, name)


class SqliteEventLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, event: DoorEvent) -> None:
        e = event
        values = (
            e.id,
            e.kind.value,
            to_micros(e.at),
            e.sighting_id,
            e.visitor_id,
            e.camera_id,
            e.visitor_name,
        )
        with storage("record a door event"):
            self._db.connection().execute(
                f"INSERT INTO door_events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", values
            )

    def list(self, limit: int, next_token: str | None) -> Page[DoorEvent]:
        select = f"SELECT {_COLUMNS} FROM door_events"
        with storage("list door events"):
            return newest_first(self._db.connection(), select, "at", limit, next_token, _event)
