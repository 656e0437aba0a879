"""The outbox sender's dispatcher is built once per container, from the settings the Door's holder read
once, and each request claims under its own id. No I/O: the builder is counted, its clients never called."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

import smartdoor.bootstrap
from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.adapters.memory.messaging import MemoryMailer, MemorySms
from smartdoor.config import Settings
from smartdoor.edges import lambda_door, lambda_outbox

pytestmark = pytest.mark.lambdas


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Settings, str]]]:
    made: list[tuple[Settings, str]] = []

    def build(settings: Settings, dispatcher_id: str, *_: Any) -> OutboxDispatcher:
        made.append((settings, dispatcher_id))
        clock = ManualClock(datetime(2026, 12, 1, tzinfo=UTC))
        return OutboxDispatcher(object(), MemoryMailer(), MemorySms(), clock, dispatcher_id)  # type: ignore[arg-type]

    monkeypatch.setenv("SMARTDOOR_TABLE_OUTBOX", "door-outbox")
    monkeypatch.setattr(smartdoor.bootstrap, "build_outbox_dispatcher", build)
    lambda_door.settings.cache_clear()
    lambda_outbox.set_dispatcher(None)
    yield made
    lambda_outbox.set_dispatcher(None)
    lambda_door.settings.cache_clear()


def test_one_build_per_container_and_each_request_its_own_name(builds: list[tuple[Settings, str]]) -> None:
    first = lambda_outbox.get_dispatcher("req-1")
    second = lambda_outbox.get_dispatcher("req-2")
    assert (first.dispatcher_id, second.dispatcher_id) == ("req-1", "req-2")
    assert len(builds) == 1
    [(settings, _)] = builds
    assert settings is lambda_door.settings()  # the settings the Door's holder read, read once
    assert settings.table_outbox == "door-outbox"
