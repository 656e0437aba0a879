"""Every Query and Mutation field of schema.graphql has a resolver and an event for each of its auth modes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from resolvers.app import app
from resolvers.errors import ENVELOPE
from tests.lambdas.conftest import EVENTS, invoke
from tests.schema_fields import operation_fields
from tests.unit.conftest import Fakes

pytestmark = pytest.mark.lambdas


def test_the_walk_finds_the_schema_fields() -> None:
    # A walk that found nothing would pass the tests below vacuously.
    assert len(operation_fields()) == 12
    assert operation_fields()[("Mutation", "publishSighting")] == {"iam"}


@pytest.mark.parametrize(("parent", "field"), sorted(operation_fields()))
def test_every_field_has_a_resolver(parent: str, field: str) -> None:
    # The registry is where AppSyncResolver.resolve looks; a field without an entry fails every call.
    assert app._resolver_registry.find_resolver(parent, field) is not None, f"{parent}.{field}"


def test_every_field_has_an_event_for_each_auth_mode() -> None:
    wanted = {f"{p}.{f}.{mode}.json" for (p, f), modes in operation_fields().items() for mode in modes}
    assert wanted <= {path.name for path in EVENTS.glob("*.json")}


@pytest.mark.parametrize("path", sorted(EVENTS.glob("*.json")), ids=lambda p: p.stem)
def test_each_event_reaches_its_resolver_and_gets_an_answer(path: Path, fakes: Fakes) -> None:
    # Over an empty door the answer is data or a domain refusal; never "no resolver" or an internal error.
    event = json.loads(path.read_text())
    result = invoke(event)
    answer = result[ENVELOPE]["type"] if isinstance(result, dict) and ENVELOPE in result else "data"
    assert answer != "INTERNAL", path.name
