"""The container's Door is built once, from the environment, on first use; a test's Door replaces it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import smartdoor.bootstrap
from smartdoor.config import Settings
from smartdoor.services.context import Door
from stream_handler import container
from tests.unit.conftest import make_fakes

pytestmark = pytest.mark.lambdas


@pytest.fixture
def no_door() -> Iterator[None]:
    container.set_door(None)
    container.settings.cache_clear()
    yield
    container.set_door(None)
    container.settings.cache_clear()


def test_the_door_is_built_once_per_container_from_the_environment(
    no_door: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Settings] = []
    door = make_fakes().door

    def build_aws(settings: Settings) -> Door:
        built.append(settings)
        return door

    # build_aws is the AWS bootstrap's; until it lands in smartdoor.bootstrap, the test provides it
    monkeypatch.setattr(smartdoor.bootstrap, "build_aws", build_aws, raising=False)
    monkeypatch.setenv("SMARTDOOR_FACE_EVENT_MAX_AGE_SECONDS", "42")

    assert container.get_door() is door
    assert container.get_door() is door
    assert [s.face_event_max_age_seconds for s in built] == [42.0]


def test_a_bundle_carrying_the_door_is_unwrapped(no_door: None, monkeypatch: pytest.MonkeyPatch) -> None:
    door = make_fakes().door

    class Bundle:
        def __init__(self) -> None:
            self.door = door

    monkeypatch.setattr(smartdoor.bootstrap, "build_aws", lambda _: Bundle(), raising=False)

    assert container.get_door() is door


def test_a_door_set_by_a_test_is_the_one_used(no_door: None) -> None:
    door = make_fakes().door
    container.set_door(door)

    assert container.get_door() is door
