"""Reading the caller out of an AppSync identity, and the door client out of its request headers."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.identity import caller, door_client
from smartdoor.services.access import DoorClient
from smartdoor.services.authorization import Anonymous, Owner
from tests.lambdas.conftest import appsync_event

pytestmark = pytest.mark.lambdas


def cognito(groups: Any) -> dict[str, Any]:
    identity: dict[str, Any] = appsync_event("Query.sightings.cognito")["identity"]
    identity["claims"]["cognito:groups"] = groups
    return identity


@pytest.mark.parametrize("groups", [["owners"], ["family", "owners"], "owners", "[family, owners]"])
def test_a_member_of_the_owner_group_is_the_owner(groups: Any) -> None:
    assert caller(cognito(groups), "owners").actor == Owner()


@pytest.mark.parametrize("groups", [[], ["owners-to-be"], "family", None, 7])
def test_anyone_else_is_anonymous(groups: Any) -> None:
    found = caller(cognito(groups), "owners")
    assert (found.actor, found.publisher) == (Anonymous(), False)


def test_the_api_key_and_iam() -> None:
    assert caller(None, "owners").actor == Anonymous()
    iam = caller(appsync_event("Mutation.publishSighting.iam")["identity"], "owners")
    assert (iam.actor, iam.publisher) == (Anonymous(), True)


@pytest.mark.parametrize(
    ("headers", "client"),
    [
        ({"x-forwarded-for": "10.0.0.1, 203.0.113.7"}, DoorClient("203.0.113.7")),
        (
            {"X-Forwarded-For": "203.0.113.7", "x-door-device": "abcdEF12_-"},
            DoorClient("203.0.113.7", "abcdEF12_-"),
        ),
        ({"x-forwarded-for": "203.0.113.7", "x-door-device": "short"}, DoorClient("203.0.113.7")),
        ({"x-forwarded-for": "203.0.113.7", "x-door-device": "a b c d e f g h"}, DoorClient("203.0.113.7")),
        ({"x-forwarded-for": "203.0.113.7", "x-door-device": "x" * 65}, DoorClient("203.0.113.7")),
        ({}, DoorClient("unknown")),
    ],
)
def test_the_door_client(headers: dict[str, str], client: DoorClient) -> None:
    assert door_client({"headers": headers}) == client
    assert door_client(None) == DoorClient("unknown")
