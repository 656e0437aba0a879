"""The local outbox on a real SQLite file: what goes in comes out, byte for byte, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smartdoor import ports
from smartdoor.adapters.local.database import Database
from smartdoor.adapters.local.outbox import Outbox
from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.model import Email, Sms

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) + b"\xff\xd9"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)  # this module's own start time; `db` comes from conftest.py


@pytest.fixture
def outbox(db: Database, clock: ManualClock) -> Outbox:
    return Outbox(db, clock)


def an_email(subject: str = "Visitor at door", images: tuple[tuple[str, bytes], ...] = ()) -> Email:
    return Email("owner@example.com", subject, "Someone is here.", "<p>Someone is here.</p>", images)


def test_the_outbox_is_both_the_mailer_and_the_sms_sender(outbox: Outbox) -> None:
    # The bootstrap hands the same object to both ports; mypy checks this assignment.
    mailer: ports.Mailer = outbox
    sms: ports.SmsSender = outbox

    mailer.send(an_email())
    sms.send(Sms("+15555550100", "hello"))

    assert [m.kind for m in outbox.list()] == ["sms", "email"]


def test_an_email_is_stored_with_its_inline_image(outbox: Outbox) -> None:
    outbox.send(an_email(images=(("visitor-photo", PHOTO),)))

    [message] = outbox.list()
    assert (message.kind, message.recipient, message.subject) == (
        "email",
        "owner@example.com",
        "Visitor at door",
    )
    assert (message.text, message.html) == ("Someone is here.", "<p>Someone is here.</p>")
    assert (message.created_at, message.status, message.error, message.tries) == (T0, "stored", None, 0)
    assert message.image_cids == ("visitor-photo",)
    assert outbox.image(message.id, "visitor-photo") == PHOTO
    assert outbox.get(message.id) == message


def test_an_sms_is_stored_without_subject_or_html(outbox: Outbox) -> None:
    outbox.send(Sms("+15555550100", "Hi Ann, your Smart Door passcode is 123456."))

    [message] = outbox.list()
    assert (message.kind, message.recipient, message.subject, message.html) == ("sms", "+15555550100", "", "")
    assert message.text == "Hi Ann, your Smart Door passcode is 123456."
    assert message.image_cids == ()


def test_the_list_is_newest_first_and_filters_by_kind(outbox: Outbox, clock: ManualClock) -> None:
    outbox.send(an_email("first"))
    clock.advance(seconds=1)
    outbox.send(Sms("+15555550100", "second"))
    outbox.send(an_email("third"))  # same time as the SMS: insertion order decides

    assert [m.subject or m.text for m in outbox.list()] == ["third", "second", "first"]
    assert [m.subject for m in outbox.list(kind="email")] == ["third", "first"]
    assert [m.text for m in outbox.list(kind="sms")] == ["second"]
    assert [m.subject for m in outbox.list(limit=1)] == ["third"]
    assert [m.created_at for m in outbox.list()] == [T0 + timedelta(seconds=1)] * 2 + [T0]


def test_unknown_messages_and_images_are_none(outbox: Outbox) -> None:
    outbox.send(an_email(images=(("visitor-photo", PHOTO),)))
    [message] = outbox.list()

    assert outbox.get(message.id + 1) is None
    assert outbox.image(message.id, "other") is None
    assert outbox.image(message.id + 1, "visitor-photo") is None


def test_the_store_keeps_html_exactly_as_composed(outbox: Outbox) -> None:
    # Escaping is the composer's job; the outbox must neither escape again nor strip anything.
    html = '<p>Name: <script>alert("x")</script> &amp; Zoë 🚪</p>\r\n<img src="cid:visitor-photo">'
    subject = "Visitor <script>alert(1)</script>"
    text = "Name: <script>alert(1)</script>\n\tZoë"
    outbox.send(Email("owner@example.com", subject, text, html, (("visitor-photo", PHOTO),)))

    [message] = outbox.list()
    assert (message.subject, message.text, message.html) == (subject, text, html)
    assert message.html.encode() == html.encode()


def test_an_email_is_stored_whole_or_not_at_all(outbox: Outbox) -> None:
    # GIVEN two images with the same cid: the second insert breaks the table's key
    email = an_email(images=(("visitor-photo", PHOTO), ("visitor-photo", b"other")))

    with pytest.raises(StorageUnavailable):
        outbox.send(email)

    assert outbox.list() == []


def test_stored_messages_survive_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    first = Database(tmp_path / "smartdoor.db")
    first.migrate()
    Outbox(first, clock).send(an_email(images=(("visitor-photo", PHOTO),)))
    first.close()

    again = Database(tmp_path / "smartdoor.db")
    again.migrate()
    [pending] = Outbox(again, clock).pending_emails(T0, 10)
    again.close()
    assert pending.email == an_email(images=(("visitor-photo", PHOTO),))


def test_pending_emails_are_stored_ones_and_failed_ones_whose_time_has_come(
    outbox: Outbox, clock: ManualClock
) -> None:
    outbox.send(an_email("a"))
    outbox.send(Sms("+15555550100", "an SMS is never delivered by SMTP"))
    outbox.send(an_email("b"))
    outbox.send(an_email("c"))
    a, b, c = (m.id for m in reversed(outbox.list(kind="email")))

    outbox.mark_sent(a)
    outbox.mark_failed(b, "SMTP down", retry_at=T0 + timedelta(seconds=10))

    assert [p.id for p in outbox.pending_emails(T0, 10)] == [c]
    assert [p.id for p in outbox.pending_emails(T0 + timedelta(seconds=10), 10)] == [b, c]
    assert [p.id for p in outbox.pending_emails(T0 + timedelta(seconds=10), 1)] == [b]
    failed = outbox.get(b)
    assert failed is not None
    assert (failed.status, failed.error, failed.tries) == ("failed", "SMTP down", 1)
    sent = outbox.get(a)
    assert sent is not None
    assert (sent.status, sent.error, sent.tries) == ("sent", None, 1)


def test_a_failed_email_without_retry_time_is_due_at_once(outbox: Outbox) -> None:
    outbox.send(an_email())
    [message] = outbox.list()

    outbox.mark_failed(message.id, "x" * 5000)

    [pending] = outbox.pending_emails(T0, 10)
    assert (pending.id, pending.tries) == (message.id, 1)
    stored = outbox.get(message.id)
    assert stored is not None
    assert stored.error == "x" * 1000  # long transcripts are cut


def test_a_failed_emails_retry_time_survives_a_restart(db: Database, clock: ManualClock) -> None:
    # GIVEN an email whose delivery failed, to be retried in 5 minutes
    Outbox(db, clock).send(an_email())
    [pending] = Outbox(db, clock).pending_emails(clock.now(), 10)
    Outbox(db, clock).mark_failed(pending.id, "connection refused", retry_at=T0 + timedelta(minutes=5))
    # WHEN the server restarts (a new Outbox over the same file)
    restarted = Outbox(db, clock)
    # THEN the retry waits for its time, then comes due
    assert restarted.pending_emails(T0 + timedelta(minutes=4), 10) == []
    assert [p.id for p in restarted.pending_emails(T0 + timedelta(minutes=5), 10)] == [pending.id]
