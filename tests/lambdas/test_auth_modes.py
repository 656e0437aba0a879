"""Who may call what: the owner is a Cognito user in the owner group; the API key and other users are not;
IAM is the publisher only. Refusals carry the local server's code (FORBIDDEN) as the errorType."""

from __future__ import annotations

import json
from typing import Any

import pytest

from resolvers import container
from smartdoor.domain.errors import RateLimited
from smartdoor.services.sightings import record_face_event
from tests.lambdas.conftest import EVENTS, appsync_event, invoke, refusal, refused, with_groups
from tests.unit.builders import registered_visitor, unknown_face
from tests.unit.conftest import Fakes

pytestmark = pytest.mark.lambdas

OWNER_ONLY: list[tuple[str, dict[str, Any]]] = [
    ("Query.sightings", {}),
    ("Query.sighting", {"id": "sighting-1"}),
    ("Query.visitors", {}),
    ("Query.visitor", {"id": "visitor-1"}),
    ("Query.doorEvents", {}),
    ("Mutation.approveVisitor", {"sightingId": "sighting-1", "decision": "APPROVE"}),
    (
        "Mutation.registerVisitor",
        {"input": {"sightingId": "sighting-1", "name": "Ada", "phoneNumber": "+12025550100"}},
    ),
    ("Mutation.forgetVisitor", {"id": "visitor-1"}),
]
OWNER_ONLY_IDS = [name for name, _ in OWNER_ONLY]


def _as_api_key(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    # Fields the API key may reach have an api_key event; for the others take the Cognito event and drop
    # the identity, which is what AppSync would pass if the API key were let through.
    try:
        return appsync_event(f"{name}.api_key", **arguments)
    except FileNotFoundError:
        event = appsync_event(f"{name}.cognito", **arguments)
        event["identity"] = None
        return event


@pytest.mark.parametrize(("name", "arguments"), OWNER_ONLY, ids=OWNER_ONLY_IDS)
def test_owner_fields_refuse_the_api_key_without_a_link(
    name: str, arguments: dict[str, Any], fakes: Fakes
) -> None:
    code, _ = refusal(_as_api_key(name, arguments))
    assert code == "FORBIDDEN"


@pytest.mark.parametrize(("name", "arguments"), OWNER_ONLY, ids=OWNER_ONLY_IDS)
def test_owner_fields_refuse_a_cognito_user_outside_the_owner_group(
    name: str, arguments: dict[str, Any], fakes: Fakes
) -> None:
    event = with_groups(appsync_event(f"{name}.cognito", **arguments), ["neighbours"])
    assert refusal(event) == ("FORBIDDEN", _local_message(name))


def _local_message(name: str) -> str:
    # The use cases' own words, as the local server sends them (without its bearer-token hint).
    if name in ("Mutation.approveVisitor", "Mutation.registerVisitor"):
        return "This needs the owner's sign-in or the link from the owner's email."
    return "This needs the owner's sign-in."


def test_a_cognito_user_without_any_group_is_refused(fakes: Fakes) -> None:
    event = appsync_event("Query.visitors.cognito")
    del event["identity"]["claims"]["cognito:groups"]
    assert refusal(event)[0] == "FORBIDDEN"


def test_the_owner_group_is_a_setting(fakes: Fakes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTDOOR_OWNER_GROUP", "household")
    container.settings.cache_clear()
    assert refusal(appsync_event("Query.visitors.cognito"))[0] == "FORBIDDEN"  # in "owners" only
    household = with_groups(appsync_event("Query.visitors.cognito"), ["household"])
    assert invoke(household) == {"items": [], "nextToken": None}


def test_the_owner_forgets_a_visitor(fakes: Fakes) -> None:
    visitor = registered_visitor(fakes)
    assert invoke(appsync_event("Mutation.forgetVisitor.cognito", id=visitor.id)) == visitor.id
    assert fakes.visitors.get(visitor.id) is None


def test_only_iam_publishes_a_sighting(fakes: Fakes) -> None:
    [seen] = record_face_event(fakes.door, unknown_face(fakes.clock.now()), b"\xff\xd8jpeg")
    published = invoke(appsync_event("Query.sighting.cognito", id=seen.id))
    # What the stream handler sends: the stored sighting, without links (PhotoInput's url is optional).
    unlinked = {k: v for k, v in published.items() if v is not None and k not in ("photo", "facePhoto")}
    photos = {k: {**published[k], "url": None} for k in ("photo", "facePhoto")}
    arguments = {"input": {**unlinked, **photos}}
    iam = appsync_event("Mutation.publishSighting.iam", **arguments)
    # The answer is what subscribers receive: the same sighting, photo links included.
    assert invoke(iam) == published
    owner = appsync_event("Mutation.publishSighting.iam", **arguments)
    owner["identity"] = appsync_event("Query.sightings.cognito")["identity"]
    assert refusal(owner) == ("FORBIDDEN", "Only the door's stream handler announces sightings.")
    anonymous = appsync_event("Mutation.publishSighting.iam", **arguments)
    anonymous["identity"] = None
    assert refusal(anonymous)[0] == "FORBIDDEN"


def test_iam_is_no_owner(fakes: Fakes) -> None:
    event = appsync_event("Query.visitors.cognito")
    event["identity"] = appsync_event("Mutation.publishSighting.iam")["identity"]
    assert refusal(event)[0] == "FORBIDDEN"


def test_a_bad_published_sighting_is_bad_input(fakes: Fakes) -> None:
    good = appsync_event_input()
    event = appsync_event("Mutation.publishSighting.iam", input={**good, "createdAt": "yesterday"})
    assert refusal(event) == (
        "BAD_USER_INPUT",
        "createdAt must be an AWSDateTime, e.g. 2026-11-23T12:00:00Z.",
    )


def appsync_event_input() -> dict[str, Any]:
    raw = json.loads((EVENTS / "Mutation.publishSighting.iam.json").read_text())
    found: dict[str, Any] = raw["arguments"]["input"]
    return found


def test_an_unexpected_fault_is_internal_and_says_nothing(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise KeyError("visitors-table-eu-west-1")

    monkeypatch.setattr(fakes.visitors, "list", broken)
    assert refused(appsync_event("Query.visitors.cognito")) == {
        "type": "INTERNAL",
        "message": "Internal error.",
        "info": {},
    }


def test_bad_input_names_its_field_for_the_response_template(fakes: Fakes) -> None:
    refusal_ = refused(appsync_event("Query.sightings.cognito", limit=500))
    assert refusal_ == {
        "type": "BAD_USER_INPUT",
        "message": "limit must be between 1 and 100.",
        "info": {"field": "limit"},
    }


def test_a_rate_limit_says_when_to_retry(fakes: Fakes, monkeypatch: pytest.MonkeyPatch) -> None:
    def busy(*_: object) -> None:
        raise RateLimited("Too many requests; try again shortly.", retry_after=7)

    monkeypatch.setattr(fakes.visitors, "list", busy)
    assert refused(appsync_event("Query.visitors.cognito")) == {
        "type": "RATE_LIMITED",
        "message": "Too many requests; try again shortly.",
        "info": {"retryAfter": 7},
    }
