"""What the stream handler publishes is what the console's subscription reads.

AppSync hands subscribers only the fields the publishSighting mutation selected: a field the console reads
but the publisher left out would reach the console as null.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from graphql import (
    FieldNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from smartdoor.adapters.aws.appsync_publisher import PUBLISH_SIGHTING, SIGHTING_SELECTION, publish_input
from smartdoor.domain.model import Photo, Sighting, SightingStatus
from tests.unit.test_schema_contract import appsync_schema

pytestmark = pytest.mark.unit

CONSOLE = Path(__file__).parents[2] / "frontend" / "static" / "console.js"
AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def field_paths(selection: str) -> set[str]:
    """Every field a selection set reads, as dotted paths: 'photo { url }' → {'photo', 'photo.url'}."""
    [operation] = parse(f"{{ {selection} }}").definitions
    assert isinstance(operation, OperationDefinitionNode)

    def walk(node: SelectionSetNode, prefix: str) -> set[str]:
        paths: set[str] = set()
        for item in node.selections:
            assert isinstance(item, FieldNode)
            path = prefix + item.name.value
            paths.add(path)
            if item.selection_set is not None:
                paths |= walk(item.selection_set, path + ".")
        return paths

    return walk(operation.selection_set, "")


def console_selection() -> str:
    found = re.search(r'^const SIGHTING = "([^"]*)";$', CONSOLE.read_text(), re.MULTILINE)
    assert found is not None, "console.js no longer declares const SIGHTING"
    return found.group(1)


def test_the_publisher_selects_what_the_console_subscription_reads() -> None:
    assert field_paths(SIGHTING_SELECTION) == field_paths(console_selection())


def test_the_publish_mutation_is_valid_against_the_schema() -> None:
    assert validate(appsync_schema(), parse(PUBLISH_SIGHTING)) == []


@pytest.mark.parametrize("full", [True, False], ids=["every-field", "bare"])
def test_the_published_input_is_a_publish_sighting_input(full: bool) -> None:
    photo = Photo("sightings/s1.jpg", "door-photos", AT)
    sighting = Sighting(
        id="s1",
        face_id="f1",
        camera_id="front-door",
        status=SightingStatus.KNOWN if full else SightingStatus.PENDING,
        created_at=AT,
        photo=photo if full else None,
        visitor_id="v1" if full else None,
        decided_at=AT if full else None,
        face_photo=photo if full else None,
    )
    schema = appsync_schema()
    [operation] = parse(PUBLISH_SIGHTING).definitions
    assert isinstance(operation, OperationDefinitionNode)

    coerced = get_variable_values(
        schema,
        operation.variable_definitions or (),
        {"input": publish_input(sighting, lambda p: f"https://x/{p.object_key}")},
    )

    assert not isinstance(coerced, list), coerced  # a list is graphql-core's coercion errors
    assert coerced.coerced["input"]["createdAt"] == "2026-11-23T12:00:00.000Z"
