"""Throttle windows and per-client wrong tries in SQLite, each operation one atomic statement."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta

from smartdoor.adapters.local.database import Database, from_micros, to_micros
from smartdoor.adapters.local.sqlite_rows import storage
from smartdoor.domain.lockout import MAX_DOUBLINGS
from smartdoor.domain.windows import window_key, window_start
from smartdoor.ports import Admission, AttemptRule, ThrottleRule

_MICROS = timedelta(microseconds=1)


class SqliteThrottle:
    def __init__(self, db: Database) -> None:
        self._db = db

    def acquire(self, key: str, limit: int, window: timedelta, now: datetime) -> bool:
        return self.acquire_all([ThrottleRule(key, limit, window)], now)

    def acquire_all(self, rules: Sequence[ThrottleRule], now: datetime) -> bool:
        # One conditional increment per rule's window, in one IMMEDIATE transaction: a full window makes
        # its upsert write nothing, and the rollback uncounts the rules already counted.
        try:
            with storage("count a rate limit"), self._db.transaction() as conn:
                for rule in rules:
                    ends = to_micros(window_start(now, rule.window) + rule.window)
                    key = window_key(rule.key, now, rule.window)
                    params = {"key": key, "ends": ends, "limit": rule.limit}
                    if conn.execute(_COUNT, params).fetchone() is None:
                        raise _Full
        except _Full:
            return False
        return True


class _Full(Exception):
    """A rule's window is full: undo the counts under the others."""


# The window's counter, keyed by the window's start: created at 1, or incremented while under the limit.
_COUNT = """
INSERT INTO throttle (key, count, window_end) SELECT :key, 1, :ends WHERE :limit > 0
ON CONFLICT (key) DO UPDATE SET count = throttle.count + 1 WHERE throttle.count < :limit
RETURNING count
"""


# One try under one key, in one statement: the inner SELECTs compute the count (restarted once the forget
# time has passed) and the lock it arms; the upsert's WHERE refuses, writing nothing, while a lock holds.
# A lock only grows (MAX); MAX of NULL is NULL in SQLite, hence the COALESCE.
_BEGIN = """
INSERT INTO attempts (client, failures, locked_until, forget_at)
SELECT :client, tries, armed, COALESCE(armed, :now) + :forget
FROM (
    SELECT tries, CASE WHEN tries >= :free
        THEN :now + MIN(:base << MIN(tries - :free, :doublings), :ceiling) END AS armed
    FROM (
        SELECT CASE WHEN a.forget_at > :now THEN a.failures + 1 ELSE 1 END AS tries
        FROM (SELECT 1) LEFT JOIN attempts AS a ON a.client = :client
    )
)
WHERE true
ON CONFLICT (client) DO UPDATE SET
    failures = excluded.failures,
    locked_until = COALESCE(MAX(attempts.locked_until, excluded.locked_until),
                            attempts.locked_until, excluded.locked_until),
    forget_at = excluded.forget_at
WHERE attempts.locked_until IS NULL OR attempts.locked_until <= :now
RETURNING locked_until
"""


class _Refused(Exception):
    """Rolls back the tries already counted under the other keys: all or nothing."""

    def __init__(self, until: datetime) -> None:
        self.until = until


class SqliteAttempts:
    def __init__(self, db: Database) -> None:
        self._db = db

    def begin(self, rules: Sequence[AttemptRule], now: datetime) -> Admission:
        t = to_micros(now)
        armed: list[int] = []
        try:
            with storage("count a try at the door"), self._db.transaction() as conn:
                for rule in rules:
                    row = conn.execute(_BEGIN, self._parameters(rule, t)).fetchone()
                    if row is None:
                        raise _Refused(self._lock_of(conn, rules, t))
                    if row[0] is not None and row[0] > t:  # an expired lock kept by MAX is no lock
                        armed.append(int(row[0]))
        except _Refused as refused:
            return Admission(False, refused.until)
        return Admission(True, from_micros(max(armed)) if armed else None)

    @staticmethod
    def _parameters(rule: AttemptRule, t: int) -> dict[str, object]:
        policy = rule.lockout
        return {
            "client": rule.client,
            "now": t,
            "forget": policy.forget_after // _MICROS,
            "free": policy.free_failures,
            "base": policy.base // _MICROS,
            "ceiling": policy.ceiling // _MICROS,
            "doublings": MAX_DOUBLINGS,
        }

    @staticmethod
    def _lock_of(conn: sqlite3.Connection, rules: Sequence[AttemptRule], t: int) -> datetime:
        marks = ",".join("?" * len(rules))
        sql = f"SELECT MAX(locked_until) FROM attempts WHERE client IN ({marks}) AND locked_until > ?"
        row = conn.execute(sql, (*(r.client for r in rules), t)).fetchone()
        return from_micros(int(row[0]))  # the upsert was refused, so a lock holds in this transaction

    def forgive(self, clients: Sequence[str]) -> None:
        if not clients:
            return
        marks = ",".join("?" * len(clients))
        with storage("forgive a door client"):
            self._db.connection().execute(f"DELETE FROM attempts WHERE client IN ({marks})", tuple(clients))
