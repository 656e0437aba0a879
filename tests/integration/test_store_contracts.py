"""One contract for every implementation of a store port: the in-memory fakes and SQLite behave alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from smartdoor.adapters.local.database import Database
from smartdoor.adapters.local.sqlite_events import SqliteEventLog
from smartdoor.adapters.local.sqlite_limits import SqliteAttempts, SqliteThrottle
from smartdoor.adapters.local.sqlite_passcodes import SqlitePasscodes
from smartdoor.adapters.local.sqlite_sightings import SqliteSightings
from smartdoor.adapters.local.sqlite_visitors import SqliteVisitors
from smartdoor.adapters.memory.stores import (
    MemoryAttempts,
    MemoryEventLog,
    MemoryPasscodes,
    MemorySightings,
    MemoryThrottle,
    MemoryVisitors,
)
from smartdoor.domain.errors import Conflict, InvalidInput, NotFound, PasscodeCollision
from smartdoor.domain.model import (
    DoorEvent,
    DoorEventKind,
    Passcode,
    Photo,
    Sighting,
    SightingStatus,
    Visitor,
)
from smartdoor.ports import ThrottleRule

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


@dataclass
class Stores:
    visitors: Any
    sightings: Any
    passcodes: Any
    throttle: Any
    attempts: Any
    events: Any


def _memory(_: Path) -> Stores:
    return Stores(
        MemoryVisitors(),
        MemorySightings(),
        MemoryPasscodes(),
        MemoryThrottle(),
        MemoryAttempts(),
        MemoryEventLog(),
    )


def _sqlite(tmp: Path) -> Stores:
    db = Database(tmp / "contract.db")
    db.migrate()
    return Stores(
        SqliteVisitors(db),
        SqliteSightings(db),
        SqlitePasscodes(db),
        SqliteThrottle(db),
        SqliteAttempts(db),
        SqliteEventLog(db),
    )


@pytest.fixture(params=[_memory, _sqlite], ids=["memory", "sqlite"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Stores:
    make: Callable[[Path], Stores] = request.param
    return make(tmp_path)


def visitor(n: int, at: datetime = T0) -> Visitor:
    return Visitor(f"v{n}", f"face-{n}", f"Name {n}", "+12025550100", (), at + n * MIN)


def sighting(n: int, status: SightingStatus = SightingStatus.PENDING) -> Sighting:
    photo = Photo(f"sightings/s{n}.jpg", "local", T0)
    return Sighting(f"s{n}", f"face-{n}", "door", status, T0 + n * MIN, photo)


def test_visitors(stores: Stores) -> None:
    for n in range(5):
        stores.visitors.add(visitor(n))
    assert stores.visitors.get("v3") == visitor(3)
    assert stores.visitors.get_by_face("face-2") == visitor(2)
    assert stores.visitors.get("nobody") is None
    photo = Photo("visitors/v1/a.jpg", "local", T0 + 9 * MIN)
    stores.visitors.add_photo("v1", photo)
    stores.visitors.add_photo("v1", photo)
    assert stores.visitors.get("v1").photos == (photo, photo)
    pages, token = [], None
    while True:
        page = stores.visitors.list(2, token)
        pages.append([v.id for v in page.items])
        token = page.next_token
        if token is None:
            break
    assert pages == [["v4", "v3"], ["v2", "v1"], ["v0"]]
    with pytest.raises(InvalidInput):
        stores.visitors.list(2, "not-a-token!")
    assert stores.visitors.delete("v2") == visitor(2)
    assert stores.visitors.delete("v2") is None


def test_sightings(stores: Stores) -> None:
    for n in range(4):
        stores.sightings.add(sighting(n, SightingStatus.DENIED if n == 1 else SightingStatus.PENDING))
    assert stores.sightings.get("s2") == sighting(2)
    assert [s.id for s in stores.sightings.list(SightingStatus.PENDING, 10, None).items] == ["s3", "s2", "s0"]
    first = stores.sightings.list(None, 3, None)
    assert [s.id for s in first.items] == ["s3", "s2", "s1"]
    assert [s.id for s in stores.sightings.list(None, 3, first.next_token).items] == ["s0"]
    moved = stores.sightings.transition(
        "s2", frozenset({SightingStatus.PENDING}), SightingStatus.REGISTERED, T0 + 10 * MIN, "v9"
    )
    assert (moved.status, moved.visitor_id, moved.decided_at) == (
        SightingStatus.REGISTERED,
        "v9",
        T0 + 10 * MIN,
    )
    with pytest.raises(Conflict, match="already handled: registered"):
        stores.sightings.transition("s2", frozenset({SightingStatus.PENDING}), SightingStatus.DENIED, T0)
    with pytest.raises(NotFound):
        stores.sightings.transition("s9", frozenset({SightingStatus.PENDING}), SightingStatus.DENIED, T0)


def code(h: str, visitor_id: str = "v1", at: datetime = T0) -> Passcode:
    return Passcode(h, visitor_id, at, at + 5 * MIN)


def test_passcodes(stores: Stores) -> None:
    p = stores.passcodes
    p.add(code("h1"), T0)
    with pytest.raises(PasscodeCollision):
        p.add(code("h1", "v2"), T0 + 4 * MIN)  # still live: another visitor may not get these digits
    p.add(code("h1", "v2", T0 + 5 * MIN), T0 + 5 * MIN)  # expired exactly now: may be reused
    assert p.consume("h1", T0 + 6 * MIN) == code("h1", "v2", T0 + 5 * MIN)
    assert p.consume("h1", T0 + 6 * MIN) is None
    p.add(code("h2"), T0)
    assert p.consume("h2", T0 + 5 * MIN) is None  # at expires_at it is dead
    assert p.consume("h2", T0 + 4 * MIN + timedelta(seconds=59)) == code("h2")


def test_throttle(stores: Stores) -> None:
    t = stores.throttle
    assert [t.acquire("k", 2, MIN, T0) for _ in range(3)] == [True, True, False]
    assert t.acquire("other", 1, MIN, T0)
    assert t.acquire("k", 2, MIN, T0 + MIN)  # the window ended: a new one starts
    rules = [ThrottleRule("a", 1, MIN), ThrottleRule("b", 2, 10 * MIN)]
    assert t.acquire_all(rules, T0)
    assert not t.acquire_all(rules, T0)  # "a" is full, so "b" is not counted either
    assert t.acquire_all(rules, T0 + MIN)
    assert not t.acquire_all(rules, T0 + 2 * MIN)  # now "b" is full (2 in 10 min)
    assert t.acquire("a", 1, MIN, T0 + 2 * MIN)  # ...and "a" was not counted by that refusal


def test_attempts(stores: Stores) -> None:
    a = stores.attempts
    assert a.get("c", T0).failures == 0
    assert [a.add_failure("c", T0, 10 * MIN) for _ in range(3)] == [1, 2, 3]
    a.lock("c", T0 + MIN)
    state = a.get("c", T0)
    assert (state.failures, state.locked_until) == (3, T0 + MIN)
    assert a.add_failure("c", T0 + 11 * MIN, 10 * MIN) == 1  # quiet for longer than forget_after
    a.clear("c")
    assert a.get("c", T0 + 11 * MIN).failures == 0
    assert a.get("other", T0).locked_until is None


def test_event_log(stores: Stores) -> None:
    for n in range(3):
        stores.events.record(
            DoorEvent(f"e{n}", DoorEventKind.CODE_SENT, T0 + n * MIN, visitor_id="v1", visitor_name="Ada")
        )
    page = stores.events.list(2, None)
    assert [e.id for e in page.items] == ["e2", "e1"]
    assert [e.id for e in stores.events.list(2, page.next_token).items] == ["e0"]
    assert page.items[0] == DoorEvent(
        "e2", DoorEventKind.CODE_SENT, T0 + 2 * MIN, visitor_id="v1", visitor_name="Ada"
    )
