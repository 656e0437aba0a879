"""The outbox as the owner uses it: the email shown whole, its approve link clicked like a person would."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import FloatRect, Locator, Page, Route, expect

from tests.api.conftest import RunningServer
from tests.api.helpers import event, post_face_event

pytestmark = pytest.mark.browser


def _bottom(box: FloatRect | None) -> float:
    assert box is not None
    return box["y"] + box["height"]


def wait_until_inside(inner: Locator, outer: Locator) -> None:
    """The frame is sized once its content has loaded: wait (bounded) until the inner element fits in it."""
    deadline = time.monotonic() + 15
    while _bottom(inner.bounding_box()) > _bottom(outer.bounding_box()):
        assert time.monotonic() < deadline, "the email is cut off at the bottom of its frame"
        time.sleep(0.05)


def test_the_emails_approve_link_opens_the_approval_page(
    page: Page, server: RunningServer, face_jpeg: bytes
) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json"), face_jpeg).raise_for_status()
    page.goto(f"{server.url}/?token={server.token}")
    page.goto(f"{server.url}/outbox")
    frame = page.locator("article[data-kind=email] iframe")
    mail = page.frame_locator("article[data-kind=email] iframe")
    expect(mail.locator("img")).to_be_visible()
    # The whole email shows, down to its last line: no scrolling inside the frame.
    wait_until_inside(mail.get_by_text("These links work once and expire."), frame)
    assert frame.evaluate("f => f.contentDocument.compatMode") == "CSS1Compat"  # not quirks mode
    # The link opens the approval page in a new tab (framed, the page would refuse to show).
    with page.context.expect_page(timeout=10_000) as opened:
        mail.get_by_role("link", name="Approve and register").click()
    approval = opened.value
    expect(approval.locator("#photo")).to_be_visible()
    assert approval.url.startswith(f"{server.url}/approve?token=")
    approval.get_by_label("Visitor's name").fill("Margaret")
    approval.get_by_label("Visitor's mobile number").fill("+1 202 555 0123")
    approval.get_by_role("button", name="Approve and send a passcode").click()
    expect(approval.locator("#outcome")).to_have_text(
        "Margaret is registered with +1 202-555-0123 and has a passcode by SMS."
    )
    # The outbox stayed where it was.
    assert page.url == f"{server.url}/outbox"


def test_the_start_links_token_is_kept_when_the_owner_leaves_the_console_at_once(
    page: Page, server: RunningServer
) -> None:
    # The console's first config.json is held, as on a slow network: the owner has already clicked on.
    held: list[Route] = []

    def hold_the_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/config.json", hold_the_first)
    page.goto(f"{server.url}/?token={server.token}", wait_until="domcontentloaded")
    page.goto(f"{server.url}/outbox")
    # The outbox read with the kept token: its (empty) list, not the plea for the start link.
    expect(page.get_by_text("Nothing sent yet.")).to_be_visible()
    expect(page.get_by_text("Open the console link printed at start")).to_have_count(0)
    assert held, "the console never asked for config.json"
