"""One Door per container: built by smartdoor.bootstrap.build_aws on first use, from settings read once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import smartdoor.bootstrap
from resolvers import container
from smartdoor.config import Settings
from smartdoor.services.context import Door
from tests.lambdas.conftest import appsync_event, invoke
from tests.unit.conftest import make_fakes

pytestmark = pytest.mark.lambdas


@pytest.fixture
def fresh_container() -> Iterator[None]:
    container.set_door(None)
    container.settings.cache_clear()
    yield
    container.set_door(None)
    container.settings.cache_clear()


def test_the_door_is_built_once_from_the_settings(
    fresh_container: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    door = make_fakes().door
    built_with: list[Settings] = []

    def build_aws(settings: Settings) -> Door:
        built_with.append(settings)
        return door

    monkeypatch.setenv("SMARTDOOR_OWNER_GROUP", "household")
    monkeypatch.setattr(smartdoor.bootstrap, "build_aws", build_aws, raising=False)
    for _ in range(3):
        invoke(appsync_event("Mutation.validateOtp.api_key", otp="000000"))
    assert [s.owner_group for s in built_with] == ["household"]
    assert container.get_door() is door


def test_a_bundle_carrying_the_door_is_unwrapped(
    fresh_container: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    class AwsDoor:
        def __init__(self, door: Door) -> None:
            self.door = door

    door = make_fakes().door
    monkeypatch.setattr(smartdoor.bootstrap, "build_aws", lambda _: AwsDoor(door), raising=False)
    assert container.get_door() is door


def test_the_settings_are_read_once(fresh_container: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTDOOR_OWNER_GROUP", "first")
    assert container.settings().owner_group == "first"
    monkeypatch.setenv("SMARTDOOR_OWNER_GROUP", "second")
    assert container.settings().owner_group == "first"
