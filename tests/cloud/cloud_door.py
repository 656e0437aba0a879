"""The cloud build of smartdoor_cdk.offline.cloud_build as a DoorUnderTest (tests/scenarios/door_flow.py):
the synthesised stack on moto, its Lambdas in workers as deployed, the local AppSync and the pages, driven
as a user reaches them.

- The owner signs in through the console's Cognito form with the build's temporary password, and chooses
  a new one at the first sign-in (as the owner of a new deployment does); later sign-ins use it.
- A face arrives as the stream processor reports one: the test data's face-search record of a stranger,
  dated now, with a fragment of its own (each face of a fragment is handled once), put on the build's
  face-record stream; its frame, a face photo of the test data, in the Kinesis Video fake (saved again at
  another quality after the first arrival, so each arrival is a stranger of its own).
- The owner's email and the visitor's SMS are read where SES and SNS keep them on moto, once the build's
  outbox sender (run every few seconds) has sent them.
"""

from __future__ import annotations

import base64
import copy
import io
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any

import httpx
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from smartdoor_cdk.offline.cloud_build import CloudBuild
from tests.waiting import wait_until

CHOSEN_PASSWORD = "Chosen-Passw0rd-of-the-owner!"
NEIGHBOUR, NEIGHBOUR_PASSWORD = "neighbour@example.com", "Neighbour-Passw0rd!"
SENT = 60.0  # seconds an email or SMS may take: the outbox sender runs every few seconds
FIRST_FRAGMENT = 91343852333181432392682062607743920146264271231


def resaved(jpeg: bytes, quality: int) -> bytes:
    """The photo saved again at another JPEG quality: the build's face index tells faces apart by their
    pictures' bytes, so to it this is another stranger."""
    out = io.BytesIO()
    Image.open(io.BytesIO(jpeg)).save(out, "JPEG", quality=max(quality, 30))
    return out.getvalue()


def parse_raw(raw: str) -> EmailMessage:
    message = message_from_string(raw.replace("\r\n", "\n"), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def inline_html(message: EmailMessage) -> str:
    """The email's HTML with its cid: images inlined as data: URLs, as a mail reader shows them."""
    html = message.get_body(preferencelist=("html",))
    assert html is not None, "the owner's email has no HTML part"
    text = str(html.get_content())
    for part in message.walk():
        cid = part.get("Content-ID")
        if cid and part.get_content_maintype() == "image":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            data = f"data:{part.get_content_type()};base64,{base64.b64encode(payload).decode()}"
            text = text.replace(f"cid:{cid.strip('<>')}", data)
    return text


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def add_neighbour(build: CloudBuild) -> None:
    """A user of the owners' pool who is not in the owners group."""
    cognito = build.client("cognito-idp")
    cognito.admin_create_user(UserPoolId=build.user_pool_id, Username=NEIGHBOUR, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=build.user_pool_id, Username=NEIGHBOUR, Password=NEIGHBOUR_PASSWORD, Permanent=True
    )


@dataclass
class CloudDoor:
    build: CloudBuild
    record: dict[str, Any]  # the test data's face-search record of a stranger
    face_jpeg: bytes
    password_chosen: bool = False
    fragments: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    put_at: list[float] = field(default_factory=list)  # time.time() just before each face record's put

    @property
    def door_url(self) -> str:
        return self.build.urls.door

    def open_console(self, page: Page) -> None:
        page.goto(self.build.urls.console)
        owner = self.build.owner
        if self.password_chosen:
            sign_in(page, owner.username, CHOSEN_PASSWORD)
        else:
            sign_in(page, owner.username, owner.password)
            page.get_by_label("New password").fill(CHOSEN_PASSWORD)
            page.get_by_role("button", name="Set password and sign in").click()
            self.password_chosen = True
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        expect(page.locator("#live")).to_have_text("live")

    def face_arrives(self) -> None:
        record = copy.deepcopy(self.record)
        fragment = str(FIRST_FRAGMENT + next(self.fragments))
        record["InputInformation"]["KinesisVideo"]["FragmentNumber"] = fragment
        frame = self.face_jpeg if not self.put_at else resaved(self.face_jpeg, 95 - len(self.put_at))
        self.put_at.append(time.time())
        self.build.put_face_record(record, frame=frame)

    def owner_email(self, page: Page) -> Locator:
        raw = self._sent(lambda data: data.get("ses", {}).get("RawMessage", []))[-1]["raw_data"]
        page.goto("about:blank")  # a mail reader's own page, not the pages' origin and CSP
        page.set_content(inline_html(parse_raw(raw)))
        return page.locator("body")

    def last_sms_to(self, page: Page, phone: str) -> str:
        def to_phone(data: dict[str, Any]) -> list[dict[str, Any]]:
            return [s for s in data.get("sns", {}).get("SMS", []) if s["phone_number"] == phone]

        message: str = self._sent(to_phone)[-1]["message"]
        return message

    def restart_api(self) -> None:
        self.build.restart_simulator()

    def _sent(self, read: Callable[[dict[str, Any]], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """What ``read`` finds in moto's backends, once the outbox sender has sent it."""
        found: list[dict[str, Any]] = []

        def arrived() -> bool:
            data = httpx.get(f"{self.build.moto_endpoint}/moto-api/data.json", timeout=10).json()
            found[:] = read(data)
            return bool(found)

        assert wait_until(arrived, SENT), "nothing was sent"
        return found
