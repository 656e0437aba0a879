"""Visitors in SQLite."""

from __future__ import annotations

import json
from typing import Any

from smartdoor.adapters.local.database import Database, from_micros, to_micros
from smartdoor.adapters.local.sqlite_rows import newest_first, photo_json, photos_from, storage
from smartdoor.domain.model import Page, Photo, Visitor

_COLUMNS = "id, face_id, name, phone_number, photos, created_at"


def _visitor(row: Any) -> Visitor:
    id_, face_id, name, phone, photos, created = row
    return Visitor(id_, face_id, name, phone, photos_from(photos), from_micros(created))


class SqliteVisitors:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, visitor: Visitor) -> None:
        photos = json.dumps([photo_json(p) for p in visitor.photos])
        values = (
            visitor.id,
            visitor.face_id,
            visitor.name,
            visitor.phone_number,
            photos,
            to_micros(visitor.created_at),
        )
        with storage("store the visitor"):
            self._db.connection().execute(
                f"INSERT INTO visitors ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", values
            )

    def get(self, visitor_id: str) -> Visitor | None:
        return self._one("id", visitor_id)

    def get_by_face(self, face_id: str) -> Visitor | None:
        return self._one("face_id", face_id)

    def _one(self, column: str, value: str) -> Visitor | None:
        sql = f"SELECT {_COLUMNS} FROM visitors WHERE {column} = ?"
        with storage("read a visitor"):
            row = self._db.connection().execute(sql, (value,)).fetchone()
        return _visitor(row) if row else None

    def add_photo(self, visitor_id: str, photo: Photo) -> None:
        # One statement: two concurrent additions both land (no read-modify-write in Python).
        sql = "UPDATE visitors SET photos = json_insert(photos, '$[#]', json(?)) WHERE id = ?"
        with storage("add a photo"):
            self._db.connection().execute(sql, (json.dumps(photo_json(photo)), visitor_id))

    def list(self, limit: int, next_token: str | None) -> Page[Visitor]:
        select = f"SELECT {_COLUMNS} FROM visitors"
        with storage("list visitors"):
            return newest_first(self._db.connection(), select, "created_at", limit, next_token, _visitor)

    def delete(self, visitor_id: str) -> Visitor | None:
        sql = f"DELETE FROM visitors WHERE id = ? RETURNING {_COLUMNS}"
        with storage("delete a visitor"):
            row = self._db.connection().execute(sql, (visitor_id,)).fetchone()
        return _visitor(row) if row else None
