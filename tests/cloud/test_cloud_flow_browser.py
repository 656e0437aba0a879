"""The cloud build driven in Debian's chromium: the same scenario as the local door's browser test
(tests/scenarios/door_flow.py), on the AWS build on one machine (tests/cloud/cloud_door.py); the console
coming back after the local AppSync restarts; and a signed-in user who is not the owner told so.

One cloud build for the module. The simulator checks no credential (see tests/cloud/conftest.py): what a
refusal here shows is the pages' answer to the API's, not AWS's signature checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from smartdoor_cdk.local_appsync import installed
from smartdoor_cdk.offline.cloud_build import CloudBuild, start_cloud_build
from tests.browser.checked_page import checked_page
from tests.browser.conftest import ARGS, CHROMIUM
from tests.cloud.cloud_door import NEIGHBOUR, NEIGHBOUR_PASSWORD, CloudDoor, add_neighbour, sign_in
from tests.needs import missing
from tests.scenarios.door_flow import (
    a_face_arrives_is_registered_and_opens_the_door,
    the_console_reconnects_after_the_api_restarts,
)

pytestmark = pytest.mark.cloud


@pytest.fixture(scope="module")
def build() -> Iterator[CloudBuild]:
    if not installed():
        missing("the local AppSync is not installed: run scripts/setup dev with npm available")
    with start_cloud_build() as running:
        add_neighbour(running)
        yield running


@pytest.fixture(scope="module")
def door(build: CloudBuild, testdata: Path, face_jpeg: bytes) -> CloudDoor:
    """One door for the module: it remembers the password the owner chose at the first sign-in."""
    record = json.loads((testdata / "rekognition" / "unknown_face.json").read_text())
    return CloudDoor(build, record, face_jpeg)


# Module scope, not the browser tier's package scope: sync Playwright keeps an event loop on the main thread
# while it is open, and the other cloud modules run asyncio.run there.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        missing(f"chromium is not installed at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with checked_page(browser) as page:
        yield page


def test_a_face_on_the_stream_is_registered_and_opens_the_door(page: Page, door: CloudDoor) -> None:
    a_face_arrives_is_registered_and_opens_the_door(page, door)


def test_the_console_reconnects_after_the_simulator_restarts(page: Page, door: CloudDoor) -> None:
    the_console_reconnects_after_the_api_restarts(page, door)


def test_a_signed_in_user_who_is_not_the_owner_is_told_so(page: Page, build: CloudBuild) -> None:
    page.goto(build.urls.console)
    sign_in(page, NEIGHBOUR, NEIGHBOUR_PASSWORD)
    expect(page.locator("#not-owner")).to_contain_text("This account is not the door's owner")
    expect(page.locator("#sightings")).to_contain_text("Only the door's owner sees this.")
