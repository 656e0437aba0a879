"""Sightings in SQLite; a status change is one conditional UPDATE."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from smartdoor.adapters.local.database import Database, from_micros, to_micros
from smartdoor.adapters.local.sqlite_rows import newest_first, photo_from, photo_json, storage
from smartdoor.domain.errors import Conflict, NotFound
from smartdoor.domain.model import Page, Sighting, SightingStatus

_COLUMNS = "id, face_id, camera_id, status, created_at, photo, visitor_id, decided_at, face_photo"


def _sighting(row: Any) -> Sighting:
    id_, face_id, camera, status, created, photo, visitor_id, decided, face_photo = row
    return Sighting(
        id=id_,
        face_id=face_id,
        camera_id=camera,
        status=SightingStatus(status),
        created_at=from_micros(created),
        photo=photo_from(json.loads(photo)) if photo else None,
        visitor_id=visitor_id,
        decided_at=from_micros(decided) if decided is not None else None,
        face_photo=photo_from(json.loads(face_photo)) if face_photo else None,
    )


class SqliteSightings:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, sighting: Sighting) -> None:
        s = sighting
        values = (
            s.id,
            s.face_id,
            s.camera_id,
            s.status.value,
            to_micros(s.created_at),
            json.dumps(photo_json(s.photo)) if s.photo else None,
            s.visitor_id,
            to_micros(s.decided_at) if s.decided_at else None,
            json.dumps(photo_json(s.face_photo)) if s.face_photo else None,
        )
        with storage("store the sighting"):
            self._db.connection().execute(
                f"INSERT INTO sightings ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values
            )

    def get(self, sighting_id: str) -> Sighting | None:
        with storage("read a sighting"):
            row = (
                self._db.connection()
                .execute(f"SELECT {_COLUMNS} FROM sightings WHERE id = ?", (sighting_id,))
                .fetchone()
            )
        return _sighting(row) if row else None

    def list(self, status: SightingStatus | None, limit: int, next_token: str | None) -> Page[Sighting]:
        where, params = (["status = ?"], [status.value]) if status is not None else ([], [])
        select = f"SELECT {_COLUMNS} FROM sightings"
        with storage("list sightings"):
            conn = self._db.connection()
            return newest_first(conn, select, "created_at", limit, next_token, _sighting, where, params)

    def transition(
        self,
        sighting_id: str,
        allowed_from: frozenset[SightingStatus],
        to: SightingStatus,
        decided_at: datetime,
        visitor_id: str | None = None,
    ) -> Sighting:
        allowed = sorted(s.value for s in allowed_from)
        marks = ", ".join("?" for _ in allowed)
        sql = (
            "UPDATE sightings SET status = ?, decided_at = ?, visitor_id = COALESCE(?, visitor_id)"
            f" WHERE id = ? AND status IN ({marks}) RETURNING {_COLUMNS}"
        )
        with storage("update the sighting"):
            row = (
                self._db.connection()
                .execute(sql, (to.value, to_micros(decided_at), visitor_id, sighting_id, *allowed))
                .fetchone()
            )
        if row:
            return _sighting(row)
        current = self.get(sighting_id)
        if current is None:
            raise NotFound(f"No sighting {sighting_id!r}.")
        raise Conflict(f"This visitor was already handled: {current.status.value.lower()}.")
