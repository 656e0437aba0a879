"""Through the local AppSync: each field's auth modes (enforced by the simulator, then by the resolvers),
the errors' data (errorType, errorInfo), and validateOtp from the door page to DynamoDB on moto, all answered
by one long-lived resolvers worker."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest

from smartdoor.domain.model import Visitor
from smartdoor.services.passcodes import send_passcode
from tests.cloud.conftest import CODE, Cloud
from tests.cloud.fault_codes import RATE_LIMITED_CODE, RETRY_AFTER

pytestmark = pytest.mark.cloud

OWNER_QUERIES = [
    "{ sightings(limit: 5) { items { id } } }",
    "{ visitors(limit: 5) { items { id } } }",
    '{ visitor(id: "v1") { id } }',
    "{ doorEvents(limit: 5) { items { id } } }",
]
PUBLISH = (
    'mutation { publishSighting(input: {id: "s1", faceId: "f1", cameraId: "front-door", status: PENDING,'
    ' createdAt: "2026-11-23T12:00:00Z"}) { id } }'
)
VALIDATE = "mutation V($otp: String!) { validateOtp(otp: $otp) { granted message visitorName } }"


def error_types(answer: dict[str, object]) -> list[object]:
    errors = answer.get("errors")
    assert isinstance(errors, list), answer
    return [e.get("errorType") for e in errors if isinstance(e, dict) and e.get("errorType")]


@pytest.mark.parametrize("query", OWNER_QUERIES)
def test_the_api_key_is_refused_the_owner_s_queries(cloud: Cloud, query: str) -> None:
    answer = cloud.as_api_key(query)
    assert error_types(answer) == ["Unauthorized"]  # the simulator's auth-mode check: no invocation


def test_a_cognito_user_outside_the_owners_group_is_refused(cloud: Cloud) -> None:
    answer = cloud.as_user(["neighbours"], OWNER_QUERIES[0])
    assert error_types(answer) == ["FORBIDDEN"]  # past the auth mode; the resolvers refuse a non-owner
    assert cloud.as_user(["owners"], OWNER_QUERIES[0]) == {"data": {"sightings": {"items": []}}}


def test_the_iam_only_mutation_is_refused_to_api_key_and_cognito_callers(cloud: Cloud) -> None:
    assert error_types(cloud.as_api_key(PUBLISH)) == ["Unauthorized"]
    assert error_types(cloud.as_user(["owners"], PUBLISH)) == ["Unauthorized"]


def test_a_wrong_api_key_is_401(cloud: Cloud) -> None:
    response = cloud.post(OWNER_QUERIES[0], None, **{"x-api-key": "da2-wrong"})
    assert response.status_code == 401


def test_bad_input_names_the_field_in_error_info(cloud: Cloud) -> None:
    answer = cloud.as_user(["owners"], "{ sightings(limit: 500) { items { id } } }")
    [refusal] = [e for e in answer["errors"] if e.get("errorType")]
    assert (refusal["errorType"], refusal["message"], refusal["errorInfo"]) == (
        "BAD_USER_INPUT",
        "limit must be between 1 and 100.",
        {"field": "limit"},
    )


def test_a_passcode_seeded_through_the_core_opens_the_door_once(cloud: Cloud) -> None:
    ada = Visitor("v-ada", "f-ada", "Ada", "+442079460958", (), datetime.now(UTC))
    cloud.door.visitors.add(ada)
    assert send_passcode(cloud.door, ada)  # stored in DynamoDB on moto, as registration stores it

    first = cloud.as_api_key(VALIDATE, {"otp": CODE}, **{"x-forwarded-for": "203.0.113.7"})
    again = cloud.as_api_key(VALIDATE, {"otp": CODE}, **{"x-forwarded-for": "203.0.113.7"})

    assert first == {
        "data": {"validateOtp": {"granted": True, "message": "Welcome, Ada!", "visitorName": "Ada"}}
    }
    assert again["data"]["validateOtp"]["granted"] is False


def test_a_rate_limit_carries_retry_after_in_error_info(cloud: Cloud) -> None:
    answer = cloud.as_api_key(VALIDATE, {"otp": RATE_LIMITED_CODE})
    [refusal] = [e for e in answer["errors"] if e.get("errorType")]
    assert (refusal["errorType"], refusal["errorInfo"]) == ("RATE_LIMITED", {"retryAfter": RETRY_AFTER})


def test_one_worker_process_answers_every_invocation(
    cloud: Cloud, capsys: pytest.CaptureFixture[str]
) -> None:
    stats = httpx.get(cloud.appsync.worker_url + "stats", timeout=10).json()
    calls = 30
    started = time.perf_counter()
    for _ in range(calls):
        assert cloud.as_user(["owners"], OWNER_QUERIES[0]) == {"data": {"sightings": {"items": []}}}
    through_appsync = (time.perf_counter() - started) / calls
    # The event the request mapping template makes for the owner's sightings query, sent to the worker alone.
    payload = {
        "arguments": {"limit": 5},
        "identity": {"sub": "owner-1", "claims": {"cognito:groups": ["owners"]}},
        "source": None,
        "request": {"headers": {}},
        "info": {
            "fieldName": "sightings",
            "parentTypeName": "Query",
            "variables": {},
            "selectionSetList": ["items"],
        },
        "prev": None,
        "stash": {},
    }
    started = time.perf_counter()
    for _ in range(calls):
        answer = httpx.post(cloud.appsync.worker_url, json=payload, timeout=10).json()
        assert answer == {"result": {"items": [], "nextToken": None}}
    direct = (time.perf_counter() - started) / calls
    after = httpx.get(cloud.appsync.worker_url + "stats", timeout=10).json()

    assert after["pid"] == stats["pid"] == cloud.appsync.worker_pid
    assert after["invocations"] - stats["invocations"] == 2 * calls
    with capsys.disabled():
        print(
            f"\nresolvers worker: {calls} calls through the simulator, {through_appsync * 1000:.1f} ms each;"
            f" a bare invocation of the worker {direct * 1000:.1f} ms (pid {after['pid']})"
        )


def test_the_injected_fault_stays_in_the_worker() -> None:
    # The fault is preloaded into the resolvers worker only; had this process imported it, every later tier
    # would meet a rate limit on 999999.
    from smartdoor.services import access

    assert access.validate_otp.__module__ == "smartdoor.services.access"
