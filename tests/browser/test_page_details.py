"""Small things a newcomer meets: stale messages, names on cards, the browser camera, signing in."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import RunningServer
from tests.api.helpers import event, known_face_event, later_frame, post_face_event
from tests.browser.test_pages import _email_link, register_in_console
from tests.scenarios.local_door import open_console

pytestmark = pytest.mark.browser


def owner_query(server: RunningServer, document: str) -> dict[str, Any]:
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": document},
        headers={"authorization": f"Bearer {server.token}"},
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def test_the_approval_page_drops_the_name_error_once_a_name_is_typed(
    page: Page, server: RunningServer
) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json")).raise_for_status()
    page.goto(_email_link(server, "approve"))
    page.get_by_label("Visitor's mobile number").fill("+1 202 555 0199")
    page.get_by_role("button", name="Approve and send a passcode").click()
    expect(page.get_by_text("Enter the visitor's name.")).to_be_visible()
    expect(page.get_by_label("Visitor's name")).to_be_focused()
    page.get_by_label("Visitor's name").fill("Katherine")
    expect(page.get_by_text("Enter the visitor's name.")).to_have_count(0)
    page.get_by_role("button", name="Approve and send a passcode").click()
    expect(page.locator("#outcome")).to_have_text(
        "Katherine is registered with +1 202-555-0199 and has a passcode by SMS."
    )


def test_the_approval_page_says_so_when_no_photo_was_captured(page: Page, server: RunningServer) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json")).raise_for_status()  # no frame
    page.goto(_email_link(server, "approve"))
    expect(page.get_by_text("No photo was captured.")).to_be_visible()
    expect(page.get_by_role("img", name="The visitor at your door")).to_be_hidden()


def test_the_registered_message_gives_way_to_the_next_stranger(page: Page, server: RunningServer) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json")).raise_for_status()
    open_console(page, server)
    register_in_console(page, "Dorothy", "+12025550111")
    expect(page.locator("#flash")).to_contain_text("Dorothy is registered")
    # A stranger (another face) arrives at the door.
    server.clock.advance(minutes=1)
    stranger = later_frame("unknown_face.json")
    stranger["InputInformation"]["KinesisVideo"]["ProducerTimestamp"] += 60
    [created] = post_face_event(server.url, server.token, stranger).json()["sightings"]
    assert created["status"] == "PENDING"
    expect(page.locator("article.sighting")).to_have_count(2)
    expect(page.locator("#flash")).to_have_text("Someone new at front-door.")


def test_a_known_visitors_card_shows_their_name(page: Page, server: RunningServer) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json")).raise_for_status()
    open_console(page, server)
    register_in_console(page, "Hedy Lamarr", "+12025550122")
    expect(page.locator("#visitors")).to_contain_text("Hedy Lamarr")
    [visitor] = owner_query(server, "query { visitors { items { id faceId } } }")["visitors"]["items"]
    server.clock.advance(minutes=20)  # past the visitor cooldown: a new visit
    returning = known_face_event(visitor["faceId"], f"visitor-{visitor['id']}")
    [created] = post_face_event(server.url, server.token, returning).json()["sightings"]
    assert created["status"] == "KNOWN"
    card = page.locator(f"article.sighting[data-id='{created['id']}']")
    expect(card.locator(".badge")).to_have_text("KNOWN")
    expect(card).to_contain_text("Hedy Lamarr")


def test_the_signed_out_console_asks_for_the_owner_link(browser: Browser, server: RunningServer) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json")).raise_for_status()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url)
        expect(page.locator("#live")).to_have_text("signed out")
        expect(page.locator("#sightings")).to_have_text(
            "Sign in with the owner link to see who is at your door."
        )
        expect(page.locator("main")).not_to_contain_text("Nobody yet")
        expect(page.locator("#visitors")).not_to_contain_text("No registered visitors yet")
    finally:
        context.close()


def test_the_browser_camera_is_listed_under_cameras(
    page: Page, vision_server: RunningServer, face_jpeg: bytes
) -> None:
    open_console(page, vision_server)
    response = httpx.post(
        f"{vision_server.url}/frames",
        params={"camera": "browser"},
        content=face_jpeg,
        headers={"authorization": f"Bearer {vision_server.token}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    camera = page.locator("#cameras li", has_text="browser")
    expect(camera).to_contain_text("1 frames", timeout=15_000)
