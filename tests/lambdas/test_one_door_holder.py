"""Both Lambdas hold their Door in one place, smartdoor.edges.lambda_door: one build, one set_door."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import resolvers.container
import stream_handler.container
from smartdoor.edges import lambda_door
from tests.unit.conftest import make_fakes

pytestmark = pytest.mark.lambdas


@pytest.fixture
def no_door() -> Iterator[None]:
    lambda_door.set_door(None)
    yield
    lambda_door.set_door(None)


def test_a_door_set_for_the_resolvers_is_the_stream_handlers_too(no_door: None) -> None:
    door = make_fakes().door
    resolvers.container.set_door(door)
    assert stream_handler.container.get_door() is door
    assert lambda_door.get_door() is door
