"""Sightings in SQLite; a status change is one conditional UPDATE."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from smartdoor.adapters.local.database import Database, from_micros, to_micros
from smartdoor.adapters.local.sqlite_rows import page_token, parse_page_token, photo_from, photo_json, storage
from smartdoor.domain.errors import Conflict, NotFound
from smartdoor.domain.model import Page, Sighting, SightingStatus

_COLUMNS = "id, face_id, camera_id, status, created_at, photo, visitor_id, decided_at"


def _sighting(row: Any) -> Sighting:
    id_, face_id, camera, status, created, photo, visitor_id, decided = row
    return Sighting(
        id=id_,
        face_id=face_id,
        camera_id=camera,
        status=SightingStatus(status),
        created_at=from_micros(created),
        photo=photo_from(json.loads(photo)) if photo else None,
        visitor_id=visitor_id,
        decided_at=from_micros(decided) if decided is not None else None,
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
        )
        with storage("store the sighting"):
            self._db.connection().execute(
                f"INSERT INTO sightings ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values
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
        clauses: list[str] = []
        params: list[object] = []
        if status is not None:
            clauses.append("status = ?")
            params.append(status.value)
        if next_token:
            clauses.append("(created_at, id) < (?, ?)")
            params.extend(parse_page_token(next_token))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT {_COLUMNS} FROM sightings {where} ORDER BY created_at DESC, id DESC LIMIT ?"
        with storage("list sightings"):
            rows = self._db.connection().execute(sql, (*params, limit + 1)).fetchall()
        items = tuple(_sighting(r) for r in rows[:limit])
        last = items[-1] if len(rows) > limit else None
        return Page(items, page_token(to_micros(last.created_at), last.id) if last else None)

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
