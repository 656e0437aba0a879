"""A real server on 127.0.0.1 (uvicorn in a thread) over a fresh data folder, with a clock the test moves."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn

from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.bootstrap import LocalDoor, build_local, build_vision
from smartdoor.config import Settings
from smartdoor.server.app import create_app

if TYPE_CHECKING:
    from smartdoor.vision.service import Vision

START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _bound_socket(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


@dataclass
class RunningServer:
    """The door served on 127.0.0.1; stop() and start() again on the same port and data (a restart)."""

    data_dir: Path
    with_vision: bool = False
    clock: ManualClock = field(default_factory=lambda: ManualClock(START))
    port: int = 0
    cameras: tuple[str, ...] = ()  # [ID=]SOURCE, as `smartdoor serve --camera` takes them
    settings: dict[str, Any] = field(default_factory=dict)  # Settings fields beyond the data folder and port
    door: LocalDoor = field(init=False)
    vision: Vision | None = field(init=False, default=None)
    _runner: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _sock: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def token(self) -> str:
        return self.door.owner_token

    def start(self) -> None:
        self._sock = _bound_socket(self.port)
        self.port = self._sock.getsockname()[1]
        settings = Settings(data_dir=self.data_dir, port=self.port, **self.settings)
        self.door = build_local(settings, clock=self.clock)
        if self.with_vision:  # analysis in its worker process
            from smartdoor.vision.sources import CameraSpec

            specs = [CameraSpec.parse(text, n) for n, text in enumerate(self.cameras, start=1)]
            self.vision = build_vision(self.door, specs)
        config = uvicorn.Config(
            create_app(self.door, self.vision),
            log_level="warning",
            lifespan="on",
            ws="websockets-sansio",
            proxy_headers=False,  # as `smartdoor serve` runs it: the door resolves proxies itself
        )
        self._runner = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._runner.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._runner.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._runner is not None:
            self._runner.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._sock is not None:
            self._sock.close()


def _serve(tmp_path: Path, with_vision: bool) -> Iterator[RunningServer]:
    running = RunningServer(tmp_path / "data", with_vision)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    yield from _serve(tmp_path, with_vision=False)


@pytest.fixture
def vision_server(tmp_path: Path) -> Iterator[RunningServer]:
    yield from _serve(tmp_path, with_vision=True)


class ServerLog(logging.Handler):
    """Every record the server logs, from any thread: uvicorn's own loggers do not propagate to the root,
    so the tracebacks of a 500 ("Exception in ASGI application") would escape caplog."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def faults(self) -> list[str]:
        """Errors and tracebacks: what bad input from a client must never cause."""
        return [self.format(r) for r in self.records if r.levelno >= logging.ERROR or r.exc_info is not None]


@contextmanager
def listening() -> Iterator[ServerLog]:
    """A ServerLog hearing the root logger and uvicorn's, while the block runs."""
    handler = ServerLog()
    loggers = [logging.getLogger(), logging.getLogger("uvicorn")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@pytest.fixture
def server_log() -> Iterator[ServerLog]:
    with listening() as log:
        yield log
