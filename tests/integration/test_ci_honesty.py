"""On CI (CI=true) a tier that cannot run fails the run instead of skipping; elsewhere it skips and says why.

Each case runs pytest itself, in a subprocess, on one real test of the tier, with what it needs missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
NEEDS_TESTDATA = "tests/integration/test_cameras.py::test_an_image_folder_skips_unreadable_files"
NEEDS_CHROMIUM = "tests/browser/test_pages.py::test_the_door_page_keyboard_and_denial"


def _pytest(test: str, ci: bool, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "CI"} | env
    if ci:
        environment["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", test],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=120,
    )


@pytest.fixture
def no_testdata(tmp_path: Path) -> dict[str, str]:
    return {"SMARTDOOR_TESTDATA": str(tmp_path)}  # an empty folder: no faces/ in it


def test_missing_test_data_skips_with_a_reason_off_ci(no_testdata: dict[str, str]) -> None:
    result = _pytest(NEEDS_TESTDATA, ci=False, **no_testdata)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "test data not found" in result.stdout  # -rs prints why


def test_missing_test_data_fails_on_ci(no_testdata: dict[str, str]) -> None:
    result = _pytest(NEEDS_TESTDATA, ci=True, **no_testdata)
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout
    assert "skipped" not in result.stdout
    assert "test data not found" in result.stdout
    assert "CI=true: a tier that cannot run fails the run" in result.stdout


def test_missing_chromium_fails_on_ci(tmp_path: Path) -> None:
    result = _pytest(NEEDS_CHROMIUM, ci=True, SMARTDOOR_CHROMIUM=str(tmp_path / "no-chromium"))
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout
    assert "skipped" not in result.stdout
    assert "chromium is not installed" in result.stdout


def test_missing_chromium_skips_off_ci(tmp_path: Path) -> None:
    result = _pytest(NEEDS_CHROMIUM, ci=False, SMARTDOOR_CHROMIUM=str(tmp_path / "no-chromium"))
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout


def _frontend_tests(ci: bool, path: Path) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": str(path)} | ({"CI": "true"} if ci else {})  # a PATH with no node on it
    return subprocess.run(
        ["/bin/bash", str(REPO / "scripts" / "frontend-tests")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


def test_missing_node_fails_on_ci(tmp_path: Path) -> None:
    result = _frontend_tests(ci=True, path=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "node is not installed: CI must run frontend/tests (install Debian's nodejs)\n"


def test_missing_node_skips_off_ci_and_says_so(tmp_path: Path) -> None:
    result = _frontend_tests(ci=False, path=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("node is not installed: skipping frontend/tests")
