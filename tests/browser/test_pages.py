"""The whole flow by clicking, in Debian's chromium against a real server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.api.conftest import RunningServer
from tests.api.helpers import event, outbox, passcode_in, post_face_event
from tests.scenarios.door_flow import (
    a_face_arrives_is_registered_and_opens_the_door,
    the_console_reconnects_after_the_api_restarts,
    type_code_at_the_door,
)
from tests.scenarios.local_door import LocalDoor, open_console, post_frame

pytestmark = pytest.mark.browser


def register_in_console(page: Page, name: str, phone: str) -> Locator:
    """Fill the newest sighting's registration form and send it; return the card."""
    card = page.locator("article.sighting").first
    card.get_by_label("Name").fill(name)
    card.get_by_label("Mobile number").fill(phone)
    card.get_by_role("button", name="Register and send passcode").click()
    return card


def test_a_face_arrives_is_registered_and_opens_the_door(
    page: Page, vision_server: RunningServer, face_jpeg: bytes
) -> None:
    a_face_arrives_is_registered_and_opens_the_door(page, LocalDoor(vision_server, face_jpeg))


def test_a_name_with_markup_is_shown_as_text(page: Page, server: RunningServer) -> None:
    name = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'
    post_face_event(server.url, server.token, event("unknown_face.json"))
    open_console(page, server)
    register_in_console(page, name, "+12025550100")
    expect(page.locator("#visitors strong")).to_have_text(name)
    assert page.evaluate("window.pwned") is None
    assert page.locator("#visitors img[src=x]").count() == 0
    code = passcode_in(outbox(server.url, server.token, "sms")[0]["text"])
    type_code_at_the_door(page, f"{server.url}/door", code)
    expect(page.locator("#result")).to_have_text(f"Welcome, {name}!")
    assert page.evaluate("window.pwned") is None
    # The outbox shows the owner's email in a sandbox; nothing in it ran either.
    page.goto(f"{server.url}/outbox")
    expect(page.locator("article[data-kind=email]")).to_have_count(1)
    assert page.evaluate("window.pwned") is None


def test_the_phone_number_gets_a_friendly_hint(page: Page, server: RunningServer) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json"))
    open_console(page, server)
    card = register_in_console(page, "Ada", "206 555 0100")
    expect(card.locator(".error")).to_contain_text("Start with + and the country code")
    expect(card.get_by_label("Mobile number")).to_have_attribute("aria-invalid", "true")
    assert outbox(server.url, server.token, "sms") == []


def _email_link(server: RunningServer, which: str) -> str:
    [email] = outbox(server.url, server.token, "email")
    match = re.search(rf"{re.escape(server.url)}/{which}\?token=\S+", email["text"])
    assert match, email["text"]
    return match.group(0)


def test_the_email_link_registers_once(page: Page, server: RunningServer, face_jpeg: bytes) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json"), face_jpeg)
    link = _email_link(server, "approve")
    page.goto(link)
    expect(page.locator("#photo")).to_be_visible()
    page.get_by_label("Visitor's name").fill("Linus")
    # A number that looks international but is a digit short: the server's rules refuse it, next to the field.
    page.get_by_label("Visitor's mobile number").fill("+1 206 555 01")
    page.get_by_role("button", name="Approve and send a passcode").click()
    expect(page.locator("#phone-error")).to_contain_text("+1 206 555 01 is not a valid number")
    expect(page.get_by_label("Visitor's mobile number")).to_have_attribute("aria-invalid", "true")
    assert outbox(server.url, server.token, "sms") == []
    # Corrected, it registers, and the page shows the number as it will be dialled.
    page.get_by_label("Visitor's mobile number").fill("+46 (8) 123-456-78")
    page.get_by_role("button", name="Approve and send a passcode").click()
    expect(page.locator("#outcome")).to_have_text(
        "Linus is registered with +46 8 123 456 78 and has a passcode by SMS."
    )
    assert [sms["to"] for sms in outbox(server.url, server.token, "sms")] == ["+46812345678"]
    page.goto(link)
    expect(page.locator("#outcome")).to_contain_text("already handled")
    expect(page.locator("#register")).to_be_hidden()


def test_expired_and_tampered_links_say_so(page: Page, server: RunningServer) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json"))
    link = _email_link(server, "deny")
    page.goto(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
    expect(page.locator("#status")).to_have_text(
        "This link is not valid. Open the latest email from your door."
    )
    server.clock.advance(days=2)
    page.goto(link)
    expect(page.locator("#status")).to_have_text(
        "This link has expired. Open the console to decide about this visitor."
    )
    expect(page.locator("#deny")).to_be_hidden()


def test_the_console_recovers_after_a_server_restart(page: Page, server: RunningServer) -> None:
    the_console_reconnects_after_the_api_restarts(page, LocalDoor(server))


def test_the_door_page_keyboard_and_denial(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/door")
    page.locator("#otp").type("12a3456")  # letters are dropped as they are typed
    expect(page.locator("#otp")).to_have_value("123456")
    page.keyboard.press("Enter")
    expect(page.locator("#result")).to_have_text("Permission denied")


def test_pages_have_labels_and_no_console_errors(page: Page, server: RunningServer, tmp_path: Path) -> None:
    for path in ("/door", "/camera", "/outbox", "/"):
        page.goto(f"{server.url}{path}")
        for field in page.locator("input").all():
            field_id = field.get_attribute("id")
            assert field_id
            assert page.locator(f"label[for='{field_id}']").count() == 1, f"{path}: #{field_id} has no label"


def test_the_deny_link_turns_a_visitor_away(page: Page, server: RunningServer) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json"))
    page.goto(_email_link(server, "deny"))
    page.get_by_role("button", name="Deny").click()
    expect(page.locator("#outcome")).to_have_text("Denied. This face stays quiet for a while.")
    open_console(page, server)
    expect(page.locator("article.sighting .badge")).to_have_text("DENIED")
    expect(page.locator("#timeline")).to_contain_text("You turned a visitor away")


def test_forgetting_a_visitor_from_the_console(page: Page, server: RunningServer) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json"))
    open_console(page, server)
    register_in_console(page, "Temporary Tom", "+12025550177")
    expect(page.locator("#visitors")).to_contain_text("Temporary Tom")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Forget Temporary Tom").click()
    expect(page.locator("#flash")).to_have_text("Temporary Tom is forgotten.")
    expect(page.locator("#visitors")).to_have_text("No registered visitors yet.")
    expect(page.locator("#timeline")).to_contain_text("Temporary Tom was forgotten")


def test_the_console_shows_what_the_cameras_do(
    page: Page, vision_server: RunningServer, face_jpeg: bytes
) -> None:
    open_console(page, vision_server)
    post_frame(vision_server, face_jpeg)
    expect(page.locator("article.sighting")).to_have_count(1)
    expect(page.locator("#pipeline")).to_contain_text("1 frames analysed", timeout=15_000)


def test_the_console_shows_a_failed_camera_and_why(page: Page, tmp_path: Path) -> None:
    empty = tmp_path / "photos"
    empty.mkdir()
    running = RunningServer(tmp_path / "data", with_vision=True, cameras=(f"porch={empty}",))
    running.start()
    try:
        open_console(page, running)
        camera = page.locator("#cameras li", has_text="porch")
        # The card refreshes every 5 s: the camera may still have been starting at the first look.
        expect(camera).to_have_attribute("data-state", "failed", timeout=15_000)
        expect(camera.locator(".bad")).to_have_text("failed")
        expect(camera).to_contain_text(f"cannot open: {empty} holds no images")
        expect(camera).to_contain_text("check the source and restart the server")
    finally:
        running.stop()


def test_two_browsers_at_one_address_keep_their_own_lockout(
    page: Page, browser: Browser, server: RunningServer
) -> None:
    def wrong_code(door: Page) -> None:
        door.locator("#otp").fill("000000")
        door.get_by_role("button", name="Open the door").click()

    page.goto(f"{server.url}/door")
    assert page.evaluate("document.cookie") == ""  # HttpOnly: no page script can read or copy it
    for _ in range(5):
        wrong_code(page)
        expect(page.locator("#result")).to_have_text("Permission denied")
    wrong_code(page)
    expect(page.locator("#result")).to_have_text(re.compile(r"Too many wrong codes: try again in 30 s"))
    # Another browser on the same machine (one address) is its own device with its own tries.
    other = browser.new_context()
    try:
        second = other.new_page()
        second.goto(f"{server.url}/door")
        wrong_code(second)
        expect(second.locator("#result")).to_have_text("Permission denied")
    finally:
        other.close()


def test_what_the_owner_typed_survives_the_card_being_rebuilt(page: Page, server: RunningServer) -> None:
    post_face_event(server.url, server.token, event("unknown_face.json"))
    open_console(page, server)
    card = page.locator("article.sighting").first
    card.get_by_label("Name").fill("Ada")
    card.get_by_label("Mobile number").fill("+1 206 555 0100")
    # Then Approve: the card is rebuilt with its new status, the form still on it.
    card.get_by_role("button", name="Approve").click()
    expect(card.locator(".badge")).to_have_text("APPROVED")
    expect(card.get_by_label("Name")).to_have_value("Ada")
    expect(card.get_by_label("Mobile number")).to_have_value("+1 206 555 0100")
