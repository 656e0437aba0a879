"""Waiting on a condition with a bound, for every tier: never a fixed sleep, never an endless loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import IO

EVERY = 0.02  # how often to look again; the bound, not this, decides when a test gives up


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    """True as soon as ``condition()`` is; False if it is still false after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        if time.monotonic() >= deadline:
            return False
        pause.wait(EVERY)
    return True


async def wait_until_async(condition: Callable[[], bool], within: float = 20.0) -> bool:
    """wait_until for a test's event loop: it keeps running while this waits."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(EVERY)
    return True


class Output:
    """A child process's output, collected on a thread so a test can wait for a line with a bound
    (a plain readline() waits forever on a process that hangs without printing)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._text = ""
        self._ended = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._pump, name="test-output", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        with self._stream:
            for line in self._stream:
                with self._changed:
                    self._text += line
                    self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def wait(self, ready: Callable[[str], bool], timeout: float = 60.0) -> str:
        """The output so far, once ``ready(output)``; AssertionError if the bound or the end comes first."""
        with self._changed:
            self._changed.wait_for(lambda: self._ended or ready(self._text), timeout=timeout)
            assert ready(self._text), self._text
            return self._text

    def wait_for(self, *needles: str, timeout: float = 60.0) -> str:
        return self.wait(lambda text: all(n in text for n in needles), timeout)

    def all(self, timeout: float = 30.0) -> str:
        """Everything, once the process has closed its output."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the process still holds its output open"
        with self._changed:
            return self._text
