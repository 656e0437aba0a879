"""Passcodes in SQLite: a conditional upsert keeps live codes unique, DELETE … RETURNING uses one up."""

from __future__ import annotations

from datetime import datetime

from smartdoor.adapters.local.database import Database, from_micros, to_micros
from smartdoor.adapters.local.sqlite_rows import storage
from smartdoor.domain.errors import PasscodeCollision
from smartdoor.domain.model import Passcode


class SqlitePasscodes:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, passcode: Passcode, now: datetime) -> None:
        # An expired row with the same hash may be overwritten; a live one may not (the TTL is lazy).
        sql = (
            "INSERT INTO passcodes (code_hash, visitor_id, created_at, expires_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (code_hash) DO UPDATE SET visitor_id = excluded.visitor_id,"
            " created_at = excluded.created_at, expires_at = excluded.expires_at"
            " WHERE passcodes.expires_at <= ?"
        )
        p = passcode
        values = (p.code_hash, p.visitor_id, to_micros(p.created_at), to_micros(p.expires_at), to_micros(now))
        with storage("store the passcode"):
            changed = self._db.connection().execute(sql, values).rowcount
        if changed == 0:
            raise PasscodeCollision("a live passcode has this code")

    def consume(self, code_hash: str, now: datetime) -> Passcode | None:
        sql = (
            "DELETE FROM passcodes WHERE code_hash = ? AND expires_at > ?"
            " RETURNING code_hash, visitor_id, created_at, expires_at"
        )
        with storage("use the passcode"):
            row = self._db.connection().execute(sql, (code_hash, to_micros(now))).fetchone()
        if row is None:
            return None
        return Passcode(row[0], row[1], from_micros(row[2]), from_micros(row[3]))
