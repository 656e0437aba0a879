"""The local door as a DoorUnderTest: the real server of tests/api/conftest.py (with its analysis worker),
the console opened with the owner token, frames POSTed as a camera sends them, mail and SMS in the outbox."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.api.conftest import RunningServer
from tests.api.helpers import event, post_face_event


def open_console(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/?token={server.token}")
    expect(page.locator("#live")).to_have_text("live")
    # The token left the address bar (history, screenshots, Referer) and stays in this browser.
    assert "token=" not in page.url


def post_frame(server: RunningServer, jpeg: bytes, camera: str = "porch") -> None:
    """A camera's frame, analysed as the server's own cameras' are."""
    headers = {"authorization": f"Bearer {server.token}"}
    response = httpx.post(
        f"{server.url}/frames", params={"camera": camera}, content=jpeg, headers=headers, timeout=60
    )
    assert response.status_code == 200, response.text


@dataclass
class LocalDoor:
    server: RunningServer
    # The photo a camera sees the stranger in (the server needs its analysis worker); without one, the
    # stranger comes as a recorded face event, as `smartdoor replay` feeds one.
    face_jpeg: bytes | None = None
    camera: str = "porch"

    @property
    def door_url(self) -> str:
        return f"{self.server.url}/door"

    def open_console(self, page: Page) -> None:
        open_console(page, self.server)

    def face_arrives(self) -> None:
        if self.face_jpeg is None:
            response = post_face_event(self.server.url, self.server.token, event("unknown_face.json"))
            assert response.status_code == 200, response.text
        else:
            post_frame(self.server, self.face_jpeg, self.camera)

    def owner_email(self, page: Page) -> Locator:
        # The outbox page shows each email in a sandboxed frame, newest first.
        page.goto(f"{self.server.url}/outbox")
        return page.frame_locator("article[data-kind=email] iframe").first.locator("body")

    def last_sms_to(self, page: Page, phone: str) -> str:
        page.goto(f"{self.server.url}/outbox")
        sms = page.locator("article[data-kind=sms]").first
        expect(sms).to_contain_text(phone)
        return sms.locator("pre").inner_text()

    def restart_api(self) -> None:
        self.server.stop()
        self.server.start()  # same port, same data folder
