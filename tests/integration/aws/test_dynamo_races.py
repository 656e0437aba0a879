"""Races on a real server: the DynamoDB adapters against the moto server, with real threads at once.

Each guarantee is one conditional write or one transaction, so of many concurrent callers exactly as many
win as the guarantee allows. Every wait is bounded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

import pytest
from botocore.config import Config

from smartdoor.adapters.aws.dynamo_claims import DynamoClaims
from smartdoor.adapters.aws.dynamo_limits import DynamoAttempts, DynamoThrottle
from smartdoor.adapters.aws.dynamo_passcodes import DynamoPasscodes
from smartdoor.adapters.aws.errors import client_config
from smartdoor.adapters.aws.tables import LIMITS, PASSCODES, create_table
from smartdoor.domain.lockout import LockoutPolicy
from smartdoor.domain.model import Passcode
from smartdoor.ports import Admission, AttemptRule, ThrottleRule

from .conftest import Aws

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

T = TypeVar("T")
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
BOUND = 60  # seconds any one wait may take


@pytest.fixture
def client(aws: Aws) -> DynamoDBClient:
    # Its own client with a connection per thread: the shared one keeps 10 and would queue the rest.
    config = client_config().merge(Config(max_pool_connections=50))
    dynamodb: DynamoDBClient = aws.session.client("dynamodb", endpoint_url=aws.endpoint, config=config)
    return dynamodb


def at_once(count: int, call: Callable[[], T]) -> list[T]:
    """Run ``call`` on ``count`` threads released together; every result, once all are back."""
    barrier, lock = threading.Barrier(count), threading.Lock()
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=BOUND)
            result = call()
        except BaseException as exc:  # reported below, not lost in the thread
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BOUND)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish in time"
    assert errors == []
    return results


def test_of_50_concurrent_consumes_of_one_code_one_wins(client: DynamoDBClient) -> None:
    passcodes = DynamoPasscodes(client, create_table(client, PASSCODES))
    code = Passcode("h1", "v1", T0, T0 + 5 * MIN)
    passcodes.add(code, T0)
    results = at_once(50, lambda: passcodes.consume("h1", T0 + MIN))
    assert sorted(results, key=lambda r: r is not None) == [None] * 49 + [code]


def test_of_50_concurrent_tries_from_one_client_exactly_the_free_ones_are_admitted(
    client: DynamoDBClient,
) -> None:
    attempts = DynamoAttempts(client, create_table(client, LIMITS))
    lockout = LockoutPolicy(free_failures=5, base=timedelta(seconds=30))
    results = at_once(50, lambda: attempts.begin([AttemptRule("device", lockout)], T0))
    admitted = [r for r in results if r.admitted]
    assert len(admitted) == 5
    # The 5th armed the lock, and everyone after it was refused by it.
    locked = T0 + timedelta(seconds=30)
    assert sorted(a.locked_until is not None for a in admitted) == [False] * 4 + [True]
    assert [r for r in results if not r.admitted] == [Admission(False, locked)] * 45


def test_of_50_concurrent_claims_of_one_key_one_wins(client: DynamoDBClient) -> None:
    claims = DynamoClaims(client, create_table(client, LIMITS))
    results = at_once(50, lambda: claims.claim("visit:v1", T0 + MIN, T0))
    assert sorted(results) == [False] * 49 + [True]


def test_of_20_concurrent_rule_sets_with_a_limit_of_1_one_is_counted(client: DynamoDBClient) -> None:
    throttle = DynamoThrottle(client, create_table(client, LIMITS))
    rules = [ThrottleRule("sms:0:+12025550100", 1, MIN), ThrottleRule("sms:1:+12025550100", 5, 10 * MIN)]
    results = at_once(20, lambda: throttle.acquire_all(rules, T0))
    assert sorted(results) == [False] * 19 + [True]
    # The losers counted under no rule: the 10-minute window still has 4 of its 5.
    assert [throttle.acquire("sms:1:+12025550100", 5, 10 * MIN, T0) for _ in range(5)] == [True] * 4 + [False]
