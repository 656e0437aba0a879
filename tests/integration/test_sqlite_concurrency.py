"""Real threads on one SQLite file, each with its own connection: the guarantees hold under contention."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from smartdoor.adapters.local.database import Database
from smartdoor.adapters.local.sqlite_limits import SqliteAttempts, SqliteThrottle
from smartdoor.adapters.local.sqlite_passcodes import SqlitePasscodes
from smartdoor.adapters.local.sqlite_sightings import SqliteSightings
from smartdoor.adapters.local.sqlite_visitors import SqliteVisitors
from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.bootstrap import build_local
from smartdoor.config import Settings
from smartdoor.domain.errors import Conflict, PasscodeCollision
from smartdoor.domain.lockout import LockoutPolicy
from smartdoor.domain.model import Passcode, Photo, Sighting, SightingStatus, Visitor
from smartdoor.ports import Admission, AttemptRule
from smartdoor.services.access import DoorClient, validate_otp

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
R = TypeVar("R")


def at_once(n: int, work: Callable[[int], R]) -> list[R]:
    """Run ``work`` on n threads released together; return each result (or the exception raised)."""
    barrier = threading.Barrier(n, timeout=30)  # a thread that never arrives breaks it, not the run
    results: list[R] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        try:
            value = work(i)
        except Exception as exc:  # collected, then asserted on
            value = exc  # type: ignore[assignment]
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == n, "a thread did not finish"
    return results


def test_fifty_threads_consume_one_code_once(db: Database) -> None:
    store = SqlitePasscodes(db)
    live = Passcode("h", "v1", T0, T0 + timedelta(minutes=5))
    store.add(live, T0)
    results = at_once(50, lambda _: store.consume("h", T0 + timedelta(minutes=1)))
    # Counted by value: an exception (say, a busy database) is neither a winner nor a clean refusal.
    assert [r for r in results if r is not None] == [live]
    assert results.count(None) == 49


def test_twenty_threads_add_the_same_code_once(db: Database) -> None:
    store = SqlitePasscodes(db)
    results = at_once(20, lambda i: store.add(Passcode("same", f"v{i}", T0, T0 + timedelta(minutes=5)), T0))
    assert sum(r is None for r in results) == 1
    assert sum(isinstance(r, PasscodeCollision) for r in results) == 19


def test_a_throttle_counts_exactly_its_limit(db: Database) -> None:
    throttle = SqliteThrottle(db)
    results = at_once(20, lambda _: throttle.acquire("visit:v1", 3, timedelta(minutes=10), T0))
    assert (results.count(True), results.count(False)) == (3, 17)


def test_fifty_tries_at_once_admit_exactly_the_free_ones(db: Database) -> None:
    attempts = SqliteAttempts(db)
    rules = [AttemptRule("device:d1", LockoutPolicy()), AttemptRule("address:10.0.0.7", LockoutPolicy(20))]
    results = at_once(50, lambda _: attempts.begin(rules, T0))
    admitted = [r for r in results if isinstance(r, Admission) and r.admitted]
    # The fifth admitted try armed the 30 s lock before any code was looked at: every later one is refused.
    assert sorted(admitted, key=lambda a: a.locked_until is not None) == [Admission(True, None)] * 4 + [
        Admission(True, T0 + timedelta(seconds=30))
    ]
    assert results.count(Admission(False, T0 + timedelta(seconds=30))) == 45


def test_photos_added_at_once_all_land(db: Database) -> None:
    visitors = SqliteVisitors(db)
    visitors.add(Visitor("v1", "f1", "Ada", "+12025550100", (), T0))
    photos = [Photo(f"visitors/v1/{i:02}.jpg", "local", T0) for i in range(20)]
    assert at_once(20, lambda i: visitors.add_photo("v1", photos[i])) == [None] * 20
    stored = visitors.get("v1")
    assert stored is not None
    assert sorted(stored.photos, key=lambda p: p.object_key) == photos


def test_one_of_ten_decisions_wins(db: Database) -> None:
    sightings = SqliteSightings(db)
    sightings.add(Sighting("s1", "f1", "door", SightingStatus.PENDING, T0))
    pending = frozenset({SightingStatus.PENDING})
    results = at_once(
        10, lambda i: sightings.transition("s1", pending, SightingStatus.REGISTERED, T0, f"v{i}")
    )
    winners = [r for r in results if isinstance(r, Sighting)]
    assert len(winners) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 9
    assert sightings.get("s1") == winners[0]


@pytest.mark.parametrize("client", ["192.0.2.1", "192.0.2.2", "192.0.2.3"])
def test_fifty_wrong_codes_at_once_get_five_evaluated(tmp_path: Path, client: str) -> None:
    local = build_local(Settings(data_dir=tmp_path), clock=ManualClock(T0))
    try:
        results = at_once(50, lambda _: validate_otp(local.door, "000000", DoorClient(client)).message)
    finally:
        local.close()
    assert results.count("Permission denied") == 5
    assert results.count("Permission denied. Too many wrong codes: try again in 30 s.") == 45
