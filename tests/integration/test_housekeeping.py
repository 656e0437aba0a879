"""Housekeeping deletes exactly the rows no rule can read again, like DynamoDB's TTL on AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smartdoor.adapters.local.database import Database
from smartdoor.adapters.local.housekeeping import Housekeeper
from smartdoor.adapters.local.sqlite_limits import SqliteAttempts, SqliteThrottle
from smartdoor.adapters.local.sqlite_passcodes import SqlitePasscodes
from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.domain.lockout import LockoutPolicy
from smartdoor.domain.model import Passcode
from smartdoor.ports import Admission, AttemptRule

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def test_expired_rows_go_live_rows_stay(tmp_path: Path) -> None:
    db = Database(tmp_path / "h.db")
    db.migrate()
    clock = ManualClock(T0)
    passcodes, throttle, attempts = SqlitePasscodes(db), SqliteThrottle(db), SqliteAttempts(db)
    passcodes.add(Passcode("old", "v", T0, T0 + 5 * MIN), T0)
    passcodes.add(Passcode("new", "v", T0 + 4 * MIN, T0 + 9 * MIN), T0)
    throttle.acquire("short", 1, MIN, T0)
    throttle.acquire("long", 1, 10 * MIN, T0)
    attempts.begin([AttemptRule("quiet", LockoutPolicy(forget_after=5 * MIN))], T0)
    locks_at_once = AttemptRule("locked", LockoutPolicy(free_failures=1, base=60 * MIN, forget_after=5 * MIN))
    attempts.begin([locks_at_once], T0)  # locked for an hour, however short its forget time
    clock.advance(minutes=6)
    assert Housekeeper(db, clock).run_once() == {
        "passcodes": 1,
        "throttle": 1,
        "attempts": 1,
        "claims": 0,
        "sighting_feed": 0,
    }
    assert passcodes.consume("new", clock.now()) is not None
    assert not throttle.acquire("long", 1, 10 * MIN, clock.now())  # its window is still live
    assert attempts.begin([locks_at_once], clock.now()) == Admission(False, T0 + 60 * MIN)
    assert Housekeeper(db, clock).run_once() == {
        "passcodes": 0,
        "throttle": 0,
        "attempts": 0,
        "claims": 0,
        "sighting_feed": 0,
    }
