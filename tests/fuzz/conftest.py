"""The fuzz tier: hypothesis-made bad input against a real server on 127.0.0.1, bounded in count.

Every request must get an answer below 500, write no error or traceback to the server's log, and, when it
is refused, change nothing the owner can see. CI=true fixes the examples (derandomize) so a run is
repeatable; elsewhere each run explores anew and hypothesis keeps failures in .hypothesis/ to replay.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings

from tests.api.conftest import RunningServer, ServerLog, listening
from tests.api.helpers import door_state, event, post_face_event

ON_CI = os.environ.get("CI") == "true"


def fuzz_settings(max_examples: int) -> settings:
    chosen = settings(
        max_examples=max_examples,
        deadline=None,  # a real server on a shared 2-core machine: time is no property here
        derandomize=ON_CI,
        # One server serves every example of a module; it is not reset between them, on purpose.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        print_blob=True,
    )
    # CI's examples are fixed, so there is nothing to remember between runs.
    return settings(chosen, database=None) if ON_CI else chosen


@dataclass
class FuzzedDoor:
    """A running door, an HTTP client to it, its log, and the check every example ends with."""

    server: RunningServer
    log: ServerLog
    client: httpx.Client
    pending_sighting: str
    _seen_faults: int = field(default=0)

    @property
    def owner(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.server.token}"}

    def state(self) -> dict[str, Any]:
        return door_state(self.server.url, self.server.token)

    def check(self, response: httpx.Response, before: dict[str, Any] | None) -> None:
        """No 5xx, no new fault in the log; a refused request (given the state before it) changed nothing."""
        assert response.status_code < 500, response.text[:500]
        faults = self.log.faults()[self._seen_faults :]
        self._seen_faults += len(faults)
        assert faults == []
        if before is not None and refused(response):
            assert self.state() == before


def refused(response: httpx.Response) -> bool:
    if response.status_code >= 400:
        return True
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and bool(body.get("errors"))


def fuzzed_door(path: Path, with_vision: bool = False) -> Iterator[FuzzedDoor]:
    with listening() as log:
        running = RunningServer(path, with_vision)
        running.start()
        try:
            with httpx.Client(base_url=running.url, timeout=60) as client:
                # Something for the mutations to act on: a stranger waiting for the owner's decision.
                response = post_face_event(running.url, running.token, event("unknown_face.json"))
                yield FuzzedDoor(running, log, client, response.json()["sightings"][0]["id"])
        finally:
            running.stop()


@pytest.fixture(scope="module")
def door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzedDoor]:
    yield from fuzzed_door(tmp_path_factory.mktemp("fuzz") / "data")


@pytest.fixture(scope="module")
def vision_door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzedDoor]:
    yield from fuzzed_door(tmp_path_factory.mktemp("fuzz-vision") / "data", with_vision=True)
