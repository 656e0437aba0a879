"""What moto's SES and SNS hold as sent, read the one way every test of this tier reads it."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from .conftest import Aws
from .test_message_contracts import parse_raw


def emails_sent(aws: Aws) -> list[EmailMessage]:
    """Every email SES sent, as a mail program reads it, oldest first."""
    return [parse_raw(message["raw_data"]) for message in aws.backend("ses").get("RawMessage", [])]


def body_text(message: EmailMessage, kind: str = "plain") -> str:
    """The text of the message's ``plain`` (or ``html``) body; a message without one fails the test."""
    part = message.get_body(preferencelist=(kind,))
    assert part is not None
    return str(part.get_content())


def email_texts(aws: Aws) -> list[str]:
    """The plain text of every email SES sent, oldest first."""
    return [body_text(message) for message in emails_sent(aws)]


def sms_sent(aws: Aws) -> list[dict[str, Any]]:
    """moto's record of every SMS that SNS sent (``phone_number``, ``message``, ...), oldest first."""
    return list(aws.backend("sns").get("SMS", []))


def sms_texts(aws: Aws, to: str | None = None) -> list[str]:
    """The text of every SMS sent (to ``to`` only, when given), oldest first."""
    return [m["message"] for m in sms_sent(aws) if to is None or m["phone_number"] == to]
