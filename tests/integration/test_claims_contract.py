"""Once-only claims: the in-memory fake, SQLite and DynamoDB keep one contract; housekeeping removes expired
ones."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from smartdoor.adapters.aws.dynamo_claims import DynamoClaims
from smartdoor.adapters.aws.tables import LIMITS, create_table
from smartdoor.adapters.local.database import Database
from smartdoor.adapters.local.housekeeping import Housekeeper
from smartdoor.adapters.local.sqlite_claims import SqliteClaims
from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.adapters.memory.stores import MemoryClaims
from smartdoor.ports import Claims

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
US = timedelta(microseconds=1)


@pytest.fixture(params=["memory", "sqlite", "dynamodb"])
def claims(request: pytest.FixtureRequest) -> Claims:
    if request.param == "memory":
        return MemoryClaims()
    if request.param == "dynamodb":
        client = request.getfixturevalue("aws").dynamodb()
        return DynamoClaims(client, create_table(client, LIMITS))
    return SqliteClaims(request.getfixturevalue("db"))


def test_a_key_is_claimed_once_while_its_claim_lives(claims: Claims) -> None:
    assert claims.claim("face-event:a/0", T0 + MIN, T0)
    assert not claims.claim("face-event:a/0", T0 + 5 * MIN, T0 + MIN - US)
    assert claims.claim("face-event:a/1", T0 + MIN, T0)  # another key is another claim
    assert claims.claim("face-event:a/0", T0 + 2 * MIN, T0 + MIN)  # expired (not yet deleted): free


def test_an_extended_claim_holds_longer_and_a_released_one_is_free(claims: Claims) -> None:
    assert claims.claim("k1", T0 + MIN, T0)
    claims.extend("k1", T0 + 60 * MIN)
    assert not claims.claim("k1", T0 + 90 * MIN, T0 + 59 * MIN)
    assert claims.claim("k2", T0 + MIN, T0)
    claims.release("k2")
    assert claims.claim("k2", T0 + MIN, T0)
    claims.release("never-claimed")  # nothing to give back: no error
    claims.extend("never-claimed", T0 + MIN)  # extends nothing, claims nothing
    assert claims.claim("never-claimed", T0 + MIN, T0)


def test_of_many_concurrent_claimants_one_wins(claims: Claims) -> None:
    barrier = threading.Barrier(8)
    won: list[bool] = []
    lock = threading.Lock()

    def claimant() -> None:
        barrier.wait(timeout=10)
        result = claims.claim("contested", T0 + MIN, T0)
        with lock:
            won.append(result)

    threads = [threading.Thread(target=claimant) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(won) == [False] * 7 + [True]


def test_housekeeping_deletes_expired_claims_only(db: Database) -> None:
    claims, clock = SqliteClaims(db), ManualClock(T0)
    claims.claim("short", T0 + MIN, T0)
    claims.claim("long", T0 + 10 * MIN, T0)
    clock.advance(minutes=2)
    assert Housekeeper(db, clock).run_once()["claims"] == 1
    assert [row[0] for row in db.connection().execute("SELECT key FROM claims")] == ["long"]
