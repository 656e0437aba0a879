"""Enrolment after a stranger sighting, watched in the console: the stranger's card says who it was."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from smartdoor.bootstrap import build_local
from smartdoor.config import Settings
from smartdoor.server.enroll import enroll_from_photos
from tests.api.conftest import RunningServer
from tests.api.helpers import outbox
from tests.scenarios.local_door import open_console, post_frame

pytestmark = pytest.mark.browser


def test_enrolling_a_stranger_the_camera_saw_turns_their_card_and_their_next_visit_sends_a_code(
    page: Page, vision_server: RunningServer, testdata: Path
) -> None:
    server = vision_server
    obama = testdata / "faces" / "faces" / "obama"
    open_console(page, server)
    # GIVEN the camera saw Obama as a stranger: a pending card
    post_frame(server, (obama / "fr_obama.jpg").read_bytes())
    card = page.locator("article.sighting").first
    expect(card.locator(".badge")).to_have_text("PENDING")
    # WHEN the owner enrols him from other photos with `smartdoor enroll` (another process, same data)
    server.clock.advance(minutes=1)
    enroller = build_local(Settings(data_dir=server.data_dir), clock=server.clock, beside_server=True)
    try:
        photos = [obama / "fr_obama2.jpg", obama / "fr_obama3.jpg"]
        assert enroll_from_photos(enroller, "Barack", "+12025550123", photos, io.StringIO()) == 0
    finally:
        enroller.close()
    # THEN the console, live, turns the stranger's card into his and says what happened
    card = page.locator("article.sighting").first
    expect(card.locator(".badge")).to_have_text("REGISTERED")
    expect(card.locator(".who")).to_have_text("Registered as Barack")
    expect(card.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.locator("#flash")).to_contain_text("Barack was the stranger seen at porch")
    expect(page.locator("#timeline")).to_contain_text("Barack was registered")
    # AND his next visit is a returning visitor's: a passcode by SMS
    server.clock.advance(minutes=1)
    post_frame(server, (obama / "fr_knn_obama1.jpg").read_bytes())
    expect(page.locator("#timeline")).to_contain_text("Barack arrived at porch")
    # (the timeline refreshes on the sighting's push, which may come before the code is sent: ask the outbox)
    assert [m["to"] for m in outbox(server.url, server.token, "sms")] == ["+12025550123"]
