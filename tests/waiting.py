"""Waiting on a condition with a bound, for every tier: never a fixed sleep, never an endless loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

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
