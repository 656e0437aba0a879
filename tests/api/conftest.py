"""A real server on 127.0.0.1 (uvicorn in a thread) over a fresh data folder, with a clock the test moves."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn

from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.bootstrap import LocalDoor, build_local, build_vision
from smartdoor.config import Settings
from smartdoor.server.app import create_app

START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@dataclass
class RunningServer:
    url: str
    ws_url: str
    door: LocalDoor
    clock: ManualClock

    @property
    def token(self) -> str:
        return self.door.owner_token


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _serve(tmp_path: Path, with_vision: bool) -> Iterator[RunningServer]:
    sock = _free_socket()
    port = sock.getsockname()[1]
    settings = Settings(data_dir=tmp_path / "data", port=port)
    clock = ManualClock(START)
    door = build_local(settings, clock=clock)
    vision = build_vision(door, []) if with_vision else None  # analysis in its worker process, as served
    app = create_app(door, vision)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="websockets-sansio")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not runner.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield RunningServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/graphql", door, clock)
    runner.should_exit = True
    thread.join(timeout=20)
    sock.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    yield from _serve(tmp_path, with_vision=False)


@pytest.fixture
def vision_server(tmp_path: Path) -> Iterator[RunningServer]:
    yield from _serve(tmp_path, with_vision=True)
