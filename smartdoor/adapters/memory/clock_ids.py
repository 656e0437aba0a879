"""A clock that moves only when told, ids that count, and codes from a script."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta


class ManualClock:
    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now


class SequentialIds:
    def __init__(self, prefix: str = "id") -> None:
        self._counter = itertools.count(1)
        self._prefix = prefix
        self._lock = threading.Lock()

    def new_id(self) -> str:
        with self._lock:
            return f"{self._prefix}-{next(self._counter)}"


class ScriptedCodes:
    """Hands out the given codes in order, so a test can force collisions."""

    def __init__(self, codes: Iterable[str]) -> None:
        self._codes = iter(codes)
        self.drawn: list[str] = []

    def __call__(self) -> str:
        code = next(self._codes)
        self.drawn.append(code)
        return code
