"""Fixed throttle windows: each rule counts in calendar windows from the epoch, one counter per window.

A window that starts at the first counted event needs a read to learn when it started; a window keyed by
its start is known from the clock alone, so counting is one conditional increment (DynamoDB: one UpdateItem
on ``<rule key>@<window start>``). The price: up to twice the limit events across a window boundary.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window of length ``window`` that holds ``now`` (floored from the epoch)."""
    length = window // _MICRO
    if length <= 0:
        raise ValueError("a throttle window is at least one microsecond long")
    since = (now - _EPOCH) // _MICRO
    return _EPOCH + (since - since % length) * _MICRO


def window_key(key: str, now: datetime, window: timedelta) -> str:
    """Where a rule's counter for the window holding ``now`` lives: ``<key>@<window start, epoch µs>``."""
    start = window_start(now, window)
    return f"{key}@{(start - _EPOCH) // _MICRO}"
