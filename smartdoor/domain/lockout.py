"""Brute-force policy for the door: a client's wrong tries, then an exponential lock-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# 2**20 * the shortest base (1 s) already exceeds the longest ceiling (a day); the cap also keeps the SQL
# shift (base << doublings, in microseconds) far from 64-bit overflow.
MAX_DOUBLINGS = 20


@dataclass(frozen=True)
class LockoutPolicy:
    free_failures: int = 5  # wrong tries a client gets before the first lock-out
    base: timedelta = timedelta(seconds=30)  # first lock-out; doubles with each further wrong try
    ceiling: timedelta = timedelta(hours=1)
    forget_after: timedelta = timedelta(hours=1)  # a client quiet this long after its lock starts from zero

    def lock_until(self, failures: int, now: datetime) -> datetime | None:
        """When the client may try again after its ``failures``-th consecutive wrong try."""
        if failures < self.free_failures:
            return None
        doublings = min(failures - self.free_failures, MAX_DOUBLINGS)
        wait: timedelta = min(self.base * (2**doublings), self.ceiling)
        return now + wait
