"""One contract for every Mailer and every SmsSender: the memory fakes, the local outbox, SES and SNS (moto),
and the DynamoDB outbox whose dispatcher sends through SES and SNS (moto).

Each implementation comes with a reader of what actually left (the fake's list, the outbox's rows, moto's
backend), turned back into the domain's Email and Sms, so the same assertions hold for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_string, policy
from email.message import EmailMessage, MIMEPart

import pytest

from smartdoor.adapters.aws.dynamo_outbox import DynamoOutbox
from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
from smartdoor.adapters.aws.ses_mailer import SesMailer
from smartdoor.adapters.aws.sns_sms import SnsSmsSender
from smartdoor.adapters.aws.tables import OUTBOX, create_table
from smartdoor.adapters.local.database import Database
from smartdoor.adapters.local.outbox import Outbox
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.messaging import MemoryMailer, MemorySms
from smartdoor.domain.model import Email, Sms
from smartdoor.ports import Mailer, SmsSender

from .conftest import Aws

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SENDER = "door@example.com"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


@dataclass
class Mailers:
    mailer: Mailer
    sent: Callable[[], list[Email]]  # every email that left, oldest first


@dataclass
class SmsSenders:
    sender: SmsSender
    sent: Callable[[], list[Sms]]  # every SMS that left, oldest first


def parse_raw(raw: str) -> EmailMessage:
    """A raw message as a mail program reads it: line ends become the platform's, as an MTA stores them."""
    message = message_from_string(raw.replace("\r\n", "\n"), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _text(part: MIMEPart) -> str:
    # A MIME text part always ends with a line break: the builder adds one that the Email did not have.
    content: str = part.get_content()
    return content.removesuffix("\n")


def email_from_mime(message: EmailMessage) -> Email:
    """The Email a recipient's mail program would show: the alternatives and the related images by cid."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    images = tuple(
        (str(part["Content-ID"]).strip("<>"), bytes(part.get_content()))
        for part in message.walk()
        if part.get_content_maintype() in ("image", "application")
    )
    return Email(str(message["To"]), str(message["Subject"]), _text(text), _text(html), images)


def ses_sent(aws: Aws) -> list[Email]:
    return [email_from_mime(parse_raw(m["raw_data"])) for m in aws.backend("ses").get("RawMessage", [])]


def dynamo_outbox(aws: Aws) -> tuple[DynamoOutbox, Callable[[], int]]:
    """The DynamoDB outbox on moto and a run of its dispatcher through SES and SNS on moto."""
    create_table(aws.dynamodb(), OUTBOX)
    aws.sesv2().create_email_identity(EmailIdentity=SENDER)
    clock = ManualClock(T0)
    ses = SesMailer(aws.sesv2(), SENDER, clock)
    dispatcher = OutboxDispatcher(aws.dynamodb(), ses, SnsSmsSender(aws.sns()), clock, "contract")
    return DynamoOutbox(aws.dynamodb(), clock, SequentialIds("msg")), dispatcher.run_once


@pytest.fixture(params=["memory", "outbox", "ses", "dynamodb-outbox"])
def mailers(request: pytest.FixtureRequest) -> Mailers:
    if request.param == "memory":
        memory = MemoryMailer()
        return Mailers(memory, lambda: list(memory.sent))
    if request.param == "outbox":
        outbox = Outbox(request.getfixturevalue("db"), ManualClock(T0))

        def stored() -> list[Email]:
            return [
                Email(
                    m.recipient,
                    m.subject,
                    m.text,
                    m.html,
                    tuple((cid, outbox.image(m.id, cid) or b"") for cid in m.image_cids),
                )
                for m in reversed(outbox.list(kind="email"))
            ]

        return Mailers(outbox, stored)
    aws: Aws = request.getfixturevalue("aws")
    if request.param == "dynamodb-outbox":
        queue, dispatch = dynamo_outbox(aws)
        return Mailers(queue, lambda: (dispatch(), ses_sent(aws))[1])
    client = aws.sesv2()
    client.create_email_identity(EmailIdentity=SENDER)  # SES sends only from a verified identity
    return Mailers(SesMailer(client, SENDER, ManualClock(T0)), lambda: ses_sent(aws))


def sns_sent(aws: Aws) -> list[Sms]:
    return [Sms(m["phone_number"], m["message"]) for m in aws.backend("sns").get("SMS", [])]


@pytest.fixture(params=["memory", "outbox", "sns", "dynamodb-outbox"])
def sms_senders(request: pytest.FixtureRequest) -> SmsSenders:
    if request.param == "memory":
        memory = MemorySms()
        return SmsSenders(memory, lambda: list(memory.sent))
    if request.param == "outbox":
        db: Database = request.getfixturevalue("db")
        outbox = Outbox(db, ManualClock(T0))
        return SmsSenders(
            outbox, lambda: [Sms(m.recipient, m.text) for m in reversed(outbox.list(kind="sms"))]
        )
    aws: Aws = request.getfixturevalue("aws")
    if request.param == "dynamodb-outbox":
        queue, dispatch = dynamo_outbox(aws)
        return SmsSenders(queue, lambda: (dispatch(), sns_sent(aws))[1])
    return SmsSenders(SnsSmsSender(aws.sns()), lambda: sns_sent(aws))


def test_an_email_leaves_as_it_was_written(mailers: Mailers) -> None:
    email = Email(
        "owner@example.com",
        "A visitor is at the door",
        "Someone is at the door. Approve: https://door.example/approve?token=abc",
        '<p>Someone is at the door.</p><img src="cid:visitor-photo" alt="the visitor">',
        (("visitor-photo", JPEG),),
    )
    mailers.mailer.send(email)
    assert mailers.sent() == [email]


def test_emails_leave_in_order_with_and_without_images(mailers: Mailers) -> None:
    first = Email("owner@example.com", "Too many wrong codes", "Someone is guessing.", "<p>Guessing.</p>")
    second = Email(
        "owner@example.com",
        "Two photos",
        "The frame and the face.",
        '<img src="cid:frame"><img src="cid:face">',
        (("frame", JPEG), ("face", PNG)),
    )
    mailers.mailer.send(first)
    mailers.mailer.send(second)
    assert mailers.sent() == [first, second]


def test_an_email_keeps_non_ascii_text(mailers: Mailers) -> None:
    email = Email(
        "owner@example.com",
        "Zoë está à porta 🚪",
        "Zoë (+44 20 7946 0958) está à porta.",
        "<p>Zoë está à porta — 👋</p>",
    )
    mailers.mailer.send(email)
    assert mailers.sent() == [email]


def test_an_sms_leaves_as_it_was_written(sms_senders: SmsSenders) -> None:
    sms = Sms("+12065550100", "Your Smart Door code is 123456. It works once, for 5 minutes.")
    sms_senders.sender.send(sms)
    assert sms_senders.sent() == [sms]


def test_sms_leave_in_order_and_keep_non_ascii_text(sms_senders: SmsSenders) -> None:
    first = Sms("+442079460958", "Olá Zoë, o seu código é 654321.")
    second = Sms("+12065550100", "Your code is 000123.")
    sms_senders.sender.send(first)
    sms_senders.sender.send(second)
    assert sms_senders.sent() == [first, second]
