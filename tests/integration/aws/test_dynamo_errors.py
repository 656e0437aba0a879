"""DynamoDB's refusals reach the core as domain errors, by code: a failed condition is an answer (full, taken,
no such code), anything else is StorageUnavailable, after botocore's standard retries for throttling.
The refusals are injected at botocore's before-send hook, so the retry handler and the parser run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from smartdoor.adapters.aws.dynamo_claims import DynamoClaims
from smartdoor.adapters.aws.dynamo_limits import DynamoAttempts, DynamoThrottle
from smartdoor.adapters.aws.dynamo_passcodes import DynamoPasscodes
from smartdoor.adapters.aws.errors import MAX_ATTEMPTS
from smartdoor.adapters.aws.tables import LIMITS, create_table
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.lockout import LockoutPolicy
from smartdoor.ports import Admission, AttemptRule, ThrottleRule

from .conftest import Aws
from .injected_answers import DYNAMODB_JSON, answer

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
DOOR = LockoutPolicy(free_failures=5, base=timedelta(seconds=30))
API = "com.amazonaws.dynamodb.v20120810#"


def refusing(client: DynamoDBClient, operation: str, error: dict[str, Any]) -> list[str]:
    """Answer every ``operation`` with ``error`` (HTTP 400) before it is sent; returns the tries seen."""
    tries: list[str] = []

    def refuse(request: Any, **_: Any) -> Any:
        tries.append(request.url)
        return answer(request, 400, DYNAMODB_JSON, json.dumps(error).encode())

    client.meta.events.register(f"before-send.dynamodb.{operation}", refuse)
    return tries


@pytest.fixture
def client(aws: Aws) -> DynamoDBClient:
    # Its own client: the hooks registered here must not reach the session's shared one.
    dynamodb: DynamoDBClient = aws.session.client(
        "dynamodb", endpoint_url=aws.endpoint, config=aws.dynamodb().meta.config
    )
    return dynamodb


def test_a_throttled_claim_is_retried_then_storage_unavailable(client: DynamoDBClient) -> None:
    claims = DynamoClaims(client, create_table(client, LIMITS))
    tries = refusing(
        client,
        "PutItem",
        {
            "__type": API + "ProvisionedThroughputExceededException",
            "message": "slow",
        },
    )
    with pytest.raises(StorageUnavailable, match="throttled"):
        claims.claim("visit:v1", T0 + MIN, T0)
    assert len(tries) == MAX_ATTEMPTS


def test_a_transaction_cancelled_by_a_conflict_is_not_a_full_window(client: DynamoDBClient) -> None:
    throttle = DynamoThrottle(client, create_table(client, LIMITS))
    refusing(
        client,
        "TransactWriteItems",
        {
            "__type": API + "TransactionCanceledException",
            "message": "Transaction cancelled",
            "CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}],
        },
    )
    rules = [ThrottleRule("a", 1, MIN), ThrottleRule("b", 1, MIN)]
    with pytest.raises(StorageUnavailable, match="TransactionConflict"):
        throttle.acquire_all(rules, T0)


def test_a_missing_table_is_storage_unavailable_not_an_answer(client: DynamoDBClient) -> None:
    with pytest.raises(StorageUnavailable):
        DynamoPasscodes(client, "no-such-table").consume("h1", T0)
    with pytest.raises(StorageUnavailable):
        DynamoThrottle(client, "no-such-table").acquire("k", 1, MIN, T0)


def test_a_try_that_met_another_transaction_is_read_and_decided_again(client: DynamoDBClient) -> None:
    attempts = DynamoAttempts(client, create_table(client, LIMITS))
    tries: list[str] = []

    def conflict_once(request: Any, **_: Any) -> Any:
        tries.append(request.url)
        if len(tries) > 1:
            return None  # on to the moto server
        error = {
            "__type": API + "TransactionCanceledException",
            "message": "Transaction cancelled",
            "CancellationReasons": [{"Code": "TransactionConflict"}, {"Code": "None"}],
        }
        return answer(request, 400, DYNAMODB_JSON, json.dumps(error).encode())

    client.meta.events.register("before-send.dynamodb.TransactWriteItems", conflict_once)
    rules = [AttemptRule("device", DOOR), AttemptRule("address", DOOR)]
    assert attempts.begin(rules, T0) == Admission(True, None)
    assert len(tries) == 2
    # Counted once under each key: four more tries pass, the fifth of all arms the lock.
    assert [attempts.begin(rules, T0) for _ in range(3)] == [Admission(True, None)] * 3
    assert attempts.begin(rules, T0) == Admission(True, T0 + timedelta(seconds=30))
