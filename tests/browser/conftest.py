"""Browser tier: Playwright driving Debian's chromium (apt-get install chromium) against a real server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.api.conftest import server, vision_server  # noqa: F401 - the api tier's real-server fixtures
from tests.browser.checked_page import checked_page
from tests.needs import missing

# SMARTDOOR_CHROMIUM names another browser binary (a test of what happens without one uses it too).
CHROMIUM = os.environ.get("SMARTDOOR_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# Package scope: sync Playwright keeps an event loop running on the main thread while it is open, and the
# tiers after this one start event loops of their own there (asyncio.run, uvicorn).
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        missing(
            f"chromium is not installed at {CHROMIUM}: apt-get install -y chromium (scripts/test does it)"
        )
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with checked_page(browser) as page:
        yield page
