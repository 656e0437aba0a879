"""The resolver Lambda fed canonical AppSync direct-Lambda events (tests/events/appsync), over a Door of
memory fakes: what AppSync would send, what the function answers or raises, no I/O."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from resolvers import container
from resolvers.app import handler
from resolvers.errors import ENVELOPE
from tests.unit.conftest import Fakes, make_fakes
from tests.unit.conftest import no_network as no_network  # the same rule as the unit tier: no I/O

EVENTS = Path(__file__).resolve().parents[1] / "events" / "appsync"


def appsync_event(name: str, **arguments: Any) -> dict[str, Any]:
    """The event file ``name`` (e.g. "Mutation.validateOtp.api_key") with these arguments."""
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    event["arguments"] = copy.deepcopy(arguments)
    return event


def with_groups(event: dict[str, Any], groups: list[str]) -> dict[str, Any]:
    """The same Cognito caller, in other user pool groups."""
    identity = event["identity"]
    identity["claims"]["cognito:groups"] = groups
    identity["groups"] = groups
    return event


def with_headers(event: dict[str, Any], **headers: str) -> dict[str, Any]:
    event["request"]["headers"].update({k.replace("_", "-"): v for k, v in headers.items()})
    return event


def invoke(event: dict[str, Any]) -> Any:
    """Call the handler as Lambda does (a fresh decode of the JSON, as off the wire)."""
    return handler(json.loads(json.dumps(event)), None)  # type: ignore[arg-type]


def refused(event: dict[str, Any]) -> dict[str, Any]:
    """The function's error envelope for this event: {type, message, info}, which the RESPONSE mapping
    template turns into errorType, message and errorInfo."""
    answer = invoke(event)
    assert isinstance(answer, dict), f"not refused: {answer!r}"
    assert ENVELOPE in answer, f"not refused: {answer!r}"
    found: dict[str, Any] = answer[ENVELOPE]
    return found


def refusal(event: dict[str, Any]) -> tuple[str, str]:
    """(errorType, message) as the client reads them from AppSync."""
    found = refused(event)
    return found["type"], found["message"]


@pytest.fixture
def fakes() -> Iterator[Fakes]:
    made = make_fakes()
    container.set_door(made.door)
    container.settings.cache_clear()
    yield made
    container.set_door(None)
    container.settings.cache_clear()
