"""Once-only claims in SQLite: each operation is one statement, as each is one DynamoDB write."""

from __future__ import annotations

from datetime import datetime

from smartdoor.adapters.local.database import Database, to_micros
from smartdoor.adapters.local.sqlite_rows import storage


class SqliteClaims:
    def __init__(self, db: Database) -> None:
        self._db = db

    def claim(self, key: str, expires_at: datetime, now: datetime) -> bool:
        # An expired claim may still be stored (housekeeping runs now and then): it is free again.
        sql = (
            "INSERT INTO claims (key, expires_at) VALUES (:key, :expires)"
            " ON CONFLICT (key) DO UPDATE SET expires_at = :expires WHERE claims.expires_at <= :now"
            " RETURNING key"
        )
        params = {"key": key, "expires": to_micros(expires_at), "now": to_micros(now)}
        with storage("claim a key"):
            return self._db.connection().execute(sql, params).fetchone() is not None

    def extend(self, key: str, expires_at: datetime) -> None:
        with storage("extend a claim"):
            self._db.connection().execute(
                "UPDATE claims SET expires_at = ? WHERE key = ?", (to_micros(expires_at), key)
            )

    def release(self, key: str) -> None:
        with storage("release a claim"):
            self._db.connection().execute("DELETE FROM claims WHERE key = ?", (key,))
