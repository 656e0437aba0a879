"""Shared by every tier: where the real test data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.needs import missing

REPO = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("SMARTDOOR_TESTDATA", REPO.parent / "shared" / "testdata"))


@pytest.fixture(scope="session")
def testdata() -> Path:
    """../shared/testdata (or $SMARTDOOR_TESTDATA). Without it tests say why they skip; on CI they fail."""
    if not (TESTDATA / "faces").is_dir():
        missing(f"test data not found at {TESTDATA}: set SMARTDOOR_TESTDATA to the shared testdata folder")
    return TESTDATA


@pytest.fixture(scope="session")
def face_jpeg(testdata: Path) -> bytes:
    return (testdata / "faces" / "faces" / "obama" / "fr_obama.jpg").read_bytes()
