"""The camera page turns any browser into a door camera: getUserMedia frames posted to /frames."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Playwright, expect

from tests.api.conftest import RunningServer
from tests.browser.conftest import ARGS, CHROMIUM

pytestmark = pytest.mark.browser


@pytest.fixture
def camera_page(playwright: Playwright) -> Iterator[Page]:
    # Chromium's fake capture device: a moving test pattern, allowed without a permission prompt.
    fake = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
    )
    context = fake.new_context()
    context.grant_permissions(["camera"])
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    fake.close()


def test_the_camera_page_sends_frames(camera_page: Page, vision_server: RunningServer) -> None:
    page = camera_page
    page.goto(f"{vision_server.url}/camera?token={vision_server.token}")  # the owner's device
    page.get_by_label("Camera name").fill("hall")
    page.get_by_role("button", name="Start camera").click()
    expect(page.locator("#state")).to_contain_text("frames analysed")
    expect(page.locator("#state")).not_to_contain_text("Running: 0 frames analysed")
    page.get_by_role("button", name="Stop").click()
    expect(page.locator("#state")).to_contain_text("Stopped after")
    # The test pattern has no face: frames were analysed, nobody was announced.
    assert vision_server.door.door.sightings.list(None, 5, None).items == ()
