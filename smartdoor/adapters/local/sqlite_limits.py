"""Throttle windows and per-client wrong tries in SQLite, each operation one atomic statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from smartdoor.adapters.local.database import Database, from_micros, to_micros
from smartdoor.adapters.local.sqlite_rows import storage
from smartdoor.ports import AttemptState, ThrottleRule

_MICROS = timedelta(microseconds=1)


class SqliteThrottle:
    def __init__(self, db: Database) -> None:
        self._db = db

    def acquire(self, key: str, limit: int, window: timedelta, now: datetime) -> bool:
        return self.acquire_all([ThrottleRule(key, limit, window)], now)

    def acquire_all(self, rules: Sequence[ThrottleRule], now: datetime) -> bool:
        # One IMMEDIATE transaction: read every window, then count under all of them or none.
        t = to_micros(now)
        with storage("count a rate limit"), self._db.transaction() as conn:
            updates = []
            for rule in rules:
                row = conn.execute(
                    "SELECT count, window_end FROM throttle WHERE key = ?", (rule.key,)
                ).fetchone()
                count, ends = (0, t) if row is None else (row[0], row[1])
                if ends <= t:  # no window, or an expired one: a new window starts with this event
                    count, ends = 0, t + rule.window // _MICROS
                if count >= rule.limit:
                    return False
                updates.append((rule.key, count + 1, ends))
            conn.executemany(
                "INSERT INTO throttle (key, count, window_end) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET count = excluded.count, window_end = excluded.window_end",
                updates,
            )
        return True


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
