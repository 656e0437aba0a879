"""Fixtures shared by the integration tier: a migrated SQLite file, a clock the test moves, a moto server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smartdoor.adapters.local.database import Database
from smartdoor.adapters.memory.clock_ids import ManualClock
from tests.integration.moto_fixtures import aws, moto_server  # noqa: F401 - for the AWS tier and contracts


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh database file at the newest schema; every thread's connection is closed afterwards."""
    database = Database(tmp_path / "smartdoor.db")
    database.migrate()
    yield database
    database.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
