"""Throttle windows and per-client wrong tries in SQLite, each operation one atomic statement."""

from __future__ import annotations

from datetime import datetime, timedelta

from smartdoor.adapters.local.database import Database, from_micros, to_micros
from smartdoor.adapters.local.sqlite_rows import storage
from smartdoor.ports import AttemptState

_MICROS = timedelta(microseconds=1)


class SqliteThrottle:
    def __init__(self, db: Database) -> None:
        self._db = db

    def acquire(self, key: str, limit: int, window: timedelta, now: datetime) -> bool:
        # A window starts at the first counted event; an expired one starts afresh. The WHERE makes a full,
        # live window refuse the update, so "changed a row" means "counted".
        sql = (
            "INSERT INTO throttle (key, count, window_end) VALUES (?, 1, ?)"
            " ON CONFLICT (key) DO UPDATE SET"
            "  count = CASE WHEN throttle.window_end <= ? THEN 1 ELSE throttle.count + 1 END,"
            "  window_end = CASE WHEN throttle.window_end <= ?"
            "   THEN excluded.window_end ELSE throttle.window_end END"
            " WHERE throttle.window_end <= ? OR throttle.count < ?"
        )
        t = to_micros(now)
        if limit < 1:
            return False
        with storage("count a rate limit"):
            changed = (
                self._db.connection().execute(sql, (key, t + window // _MICROS, t, t, t, limit)).rowcount
            )
        return changed == 1


class SqliteAttempts:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, client: str, now: datetime) -> AttemptState:
        sql = "SELECT failures, locked_until, forget_at FROM attempts WHERE client = ?"
        with storage("read wrong tries"):
            row = self._db.connection().execute(sql, (client,)).fetchone()
        if row is None:
            return AttemptState(0, None)
        failures, locked, forget_at = row
        t = to_micros(now)
        if forget_at <= t and (locked is None or locked <= t):
            return AttemptState(0, None)
        return AttemptState(failures, from_micros(locked) if locked is not None else None)

    def add_failure(self, client: str, now: datetime, forget_after: timedelta) -> int:
        sql = (
            "INSERT INTO attempts (client, failures, locked_until, forget_at) VALUES (?, 1, NULL, ?)"
            " ON CONFLICT (client) DO UPDATE SET"
            "  failures = CASE WHEN attempts.forget_at > ? THEN attempts.failures + 1 ELSE 1 END,"
            "  forget_at = excluded.forget_at"
            " RETURNING failures"
        )
        t = to_micros(now)
        with storage("count a wrong try"):
            row = self._db.connection().execute(sql, (client, t + forget_after // _MICROS, t)).fetchone()
        return int(row[0])

    def lock(self, client: str, until: datetime) -> None:
        sql = (
            "INSERT INTO attempts (client, failures, locked_until, forget_at) VALUES (?, 0, ?, ?)"
            " ON CONFLICT (client) DO UPDATE SET locked_until = excluded.locked_until,"
            "  forget_at = MAX(attempts.forget_at, excluded.forget_at)"
        )
        u = to_micros(until)
        with storage("lock a client out"):
            self._db.connection().execute(sql, (client, u, u))

    def clear(self, client: str) -> None:
        with storage("clear wrong tries"):
            self._db.connection().execute("DELETE FROM attempts WHERE client = ?", (client,))
