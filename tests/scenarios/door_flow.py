"""The door's story as a user lives it, written once and driven on every build of the door.

A scenario here only clicks and reads the pages; what differs between the local door and the cloud build
(how a face reaches the door, where the owner's email and the visitor's SMS land, how the owner signs in)
is behind ``DoorUnderTest``. The local driver is tests/scenarios/local_door.py, the cloud build's is
tests/cloud/cloud_door.py: both run these same steps, so the two builds cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from playwright.sync_api import Locator, Page, expect

from tests.api.helpers import passcode_in


class DoorUnderTest(Protocol):
    """One build of the door, running, as a browser and the outside world reach it."""

    @property
    def door_url(self) -> str:
        """The virtual door page the visitor types a passcode into."""
        ...

    def open_console(self, page: Page) -> None:
        """Open the owner's console, signed in as the owner, and wait until its live feed is connected."""
        ...

    def face_arrives(self) -> None:
        """A stranger's face reaches the door the way this build's cameras bring one."""
        ...

    def owner_email(self, page: Page) -> Locator:
        """The owner's newest email, rendered in ``page`` as its reader sees it: the root of its content."""
        ...

    def last_sms_to(self, page: Page, phone: str) -> str:
        """The text of the newest SMS to ``phone`` (E.164), once it has been sent."""
        ...

    def restart_api(self) -> None:
        """Stop the API the console is connected to and start it again at the same address."""
        ...


@dataclass(frozen=True)
class Newcomer:
    name: str
    phone_typed: str  # as the owner types it
    phone_shown: str  # as the console shows it back: grouped as the country writes it
    phone_dialled: str  # E.164, as the SMS is addressed


# An image's width once it has loaded and decoded (a blocked or broken one rejects).
LOADED_WIDTH = "img => img.decode().then(() => img.naturalWidth)"
GRACE = Newcomer("Grace Hopper", "+1 202 555 0147", "+1 202-555-0147", "+12025550147")


def type_code_at_the_door(page: Page, door_url: str, code: str) -> None:
    page.goto(door_url)
    for digit in code:
        page.get_by_role("button", name=digit, exact=True).click()
    expect(page.locator("#otp")).to_have_value(code)
    page.get_by_role("button", name="Open the door").click()


def a_face_arrives_is_registered_and_opens_the_door(
    page: Page, door: DoorUnderTest, visitor: Newcomer = GRACE
) -> None:
    door.open_console(page)
    # A face arrives: the console shows it without a reload.
    door.face_arrives()
    card = page.locator("article.sighting").first
    expect(card.locator(".badge")).to_have_text("PENDING")
    expect(card.locator("img.photo")).to_be_visible()
    assert card.locator("img.photo").evaluate(LOADED_WIDTH) > 0  # the photo's link works from the page
    # Approve, then register with a name and a number.
    card.get_by_role("button", name="Approve").click()
    expect(page.locator("#flash")).to_contain_text("Approved")
    card = page.locator("article.sighting").first
    expect(card.locator(".badge")).to_have_text("APPROVED")
    card.get_by_label("Name").fill(visitor.name)
    card.get_by_label("Mobile number").fill(visitor.phone_typed)
    card.get_by_role("button", name="Register and send passcode").click()
    # The owner sees the number as it will be dialled, grouped the way the country writes it.
    expect(page.locator("#flash")).to_contain_text(
        f"{visitor.name} is registered with {visitor.phone_shown}."
    )
    expect(page.locator("#visitors")).to_contain_text(visitor.name)
    expect(page.locator("#visitors .phone")).to_have_text(visitor.phone_shown)
    expect(page.locator("#timeline")).to_contain_text(f"Passcode sent to {visitor.name}")
    # The owner's email shows the photo inline; the SMS is there too.
    mail = door.owner_email(page)
    expect(mail.get_by_role("heading", name="Someone is at your door")).to_be_visible()
    assert mail.locator("img").evaluate(LOADED_WIDTH) > 0
    code = passcode_in(door.last_sms_to(page, visitor.phone_dialled))
    # The visitor types it at the door (on-screen keypad) and is greeted; the same code again is refused.
    type_code_at_the_door(page, door.door_url, code)
    expect(page.locator("#result")).to_have_text(f"Welcome, {visitor.name}!")
    type_code_at_the_door(page, door.door_url, code)
    expect(page.locator("#result")).to_have_text("Permission denied")


# Every text the live pill shows from now on, in order: an observer misses no state between two looks.
WATCH_LIVE = """() => {
  const pill = document.getElementById("live");
  window.liveStates = [];
  new MutationObserver(() => window.liveStates.push(pill.textContent))
    .observe(pill, { childList: true, characterData: true, subtree: true });
}"""
LIVE_AGAIN = """() => {
  const lost = window.liveStates.indexOf("reconnecting…");
  return lost >= 0 && window.liveStates.slice(lost).includes("live");
}"""


def the_console_reconnects_after_the_api_restarts(page: Page, door: DoorUnderTest) -> None:
    door.open_console(page)
    page.evaluate(WATCH_LIVE)
    door.restart_api()
    # The console saw the connection go, and came back by itself.
    page.wait_for_function(LIVE_AGAIN, timeout=30_000)
    expect(page.locator("#live")).to_have_text("live")
    # A face after the restart reaches the console over the new subscription (the flash is the push's own).
    door.face_arrives()
    expect(page.locator("#flash")).to_contain_text("Someone new at")
    expect(page.locator("article.sighting .badge").first).to_have_text("PENDING")
