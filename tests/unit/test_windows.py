"""Fixed throttle windows: floored from the epoch, keyed by their start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smartdoor.domain.windows import window_key, window_start

pytestmark = pytest.mark.unit

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
NOON_MICROS = 1_795_435_200_000_000


def test_a_window_starts_at_now_floored_from_the_epoch() -> None:
    assert window_start(NOON + timedelta(seconds=59, microseconds=999_999), timedelta(minutes=1)) == NOON
    assert window_start(NOON + timedelta(minutes=1), timedelta(minutes=1)) == NOON + timedelta(minutes=1)
    assert window_start(NOON + timedelta(hours=11), timedelta(days=1)) == datetime(2026, 11, 23, tzinfo=UTC)
    assert window_start(NOON + timedelta(hours=12), timedelta(days=1)) == datetime(2026, 11, 24, tzinfo=UTC)


def test_a_window_is_keyed_by_its_start_in_epoch_microseconds() -> None:
    assert window_key("sms:0:+12025550100", NOON + timedelta(seconds=30), timedelta(minutes=1)) == (
        f"sms:0:+12025550100@{NOON_MICROS}"
    )


def test_a_window_has_a_length() -> None:
    with pytest.raises(ValueError, match="at least one microsecond"):
        window_start(NOON, timedelta(0))
