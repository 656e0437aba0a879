"""SMTP delivery from the outbox to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest

from smartdoor.adapters.local.database import Database
from smartdoor.adapters.local.mail_worker import LEASE as MAIL_LEASE
from smartdoor.adapters.local.mail_worker import DeliveryWorker, retry_delay
from smartdoor.adapters.local.outbox import Outbox, OutboxMessage
from smartdoor.adapters.local.smtp_mailer import SmtpDelivery, SmtpSettings
from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.adapters.mime import build_mime
from smartdoor.domain.model import Email, Sighting, SightingStatus, Sms
from smartdoor.services.messages import PHOTO_CID, new_visitor_email
from tests.integration.smtp_fixtures import Accounts, Collector, free_port, smtp_server, tls_contexts

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
OWNER, SENDER = "owner@example.com", "door@example.com"
USER, PASSWORD = "door@example.com", "p@ss:w/rd% secret"  # characters that need percent-encoding in a URL
TOKEN = "link-token.abc_123"

Deliveries = Callable[[str], DeliveryWorker]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def outbox(tmp_path: Path, clock: ManualClock) -> Iterator[Outbox]:
    db = Database(tmp_path / "smartdoor.db")
    db.migrate()
    yield Outbox(db, clock)
    db.close()


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def server(port: int) -> Iterator[Collector]:
    with smtp_server(port) as collector:
        yield collector


@pytest.fixture
def worker_for(outbox: Outbox, clock: ManualClock) -> Deliveries:
    """A worker delivering through the SMTP server at the given URL."""

    def make(url: str) -> DeliveryWorker:
        delivery = SmtpDelivery(SmtpSettings.from_url(url), SENDER, timeout=5)
        return DeliveryWorker(outbox, delivery, clock, SENDER, interval=0.02)

    return make


def owner_email(photo: bytes) -> Email:
    sighting = Sighting("s-1", "face-1", "front-door", SightingStatus.PENDING, T0)
    return new_visitor_email(OWNER, sighting, "http://door.local:8000/", TOKEN, photo)


def only(outbox: Outbox) -> OutboxMessage:
    [message] = outbox.list()
    return message


def test_the_owner_email_arrives_with_its_photo_and_links(
    outbox: Outbox, server: Collector, port: int, worker_for: Deliveries, face_jpeg: bytes
) -> None:
    outbox.send(owner_email(face_jpeg))

    assert worker_for(f"smtp://127.0.0.1:{port}").run_once() == 1

    [received] = server.received
    assert (received.mail_from, received.rcpt_tos) == (SENDER, [OWNER])
    mail = received.message
    assert (mail["From"], mail["To"]) == (SENDER, OWNER)
    assert mail["Subject"] == "Visitor at front-door, 2026-11-23 09:30:00 UTC"
    assert mail.get_content_type() == "multipart/alternative"
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert isinstance(text, EmailMessage)
    assert isinstance(html, EmailMessage)
    for body in (text.get_content(), html.get_content()):
        assert "front-door" in body
        assert "2026-11-23 09:30:00 UTC" in body
        assert f"http://door.local:8000/approve?token={TOKEN}" in body
        assert f"http://door.local:8000/deny?token={TOKEN}" in body
    assert f'src="cid:{PHOTO_CID}"' in html.get_content()
    [image] = [part for part in mail.walk() if part["Content-ID"] == f"<{PHOTO_CID}>"]
    assert image.get_content_type() == "image/jpeg"
    assert image.get_content() == face_jpeg
    message = only(outbox)
    assert (message.status, message.error, message.tries) == ("sent", None, 1)


def test_a_dead_server_leaves_the_email_in_the_outbox_until_it_is_back(
    outbox: Outbox, port: int, worker_for: Deliveries, clock: ManualClock
) -> None:
    # GIVEN nothing listens on the port
    worker = worker_for(f"smtp://127.0.0.1:{port}")
    outbox.send(owner_email(b"\xff\xd8\xff\xe0photo"))

    assert worker.run_once() == 0

    failed = only(outbox)
    assert (failed.status, failed.tries) == ("failed", 1)
    assert failed.error is not None
    assert f"127.0.0.1:{port}" in failed.error
    with smtp_server(port) as server:
        # WHEN the server is back but the backoff has not passed: no retry yet
        assert worker.run_once() == 0
        clock.advance(seconds=retry_delay(1).total_seconds())
        assert worker.run_once() == 1
    assert len(server.received) == 1
    sent = only(outbox)
    assert (sent.status, sent.error, sent.tries) == ("sent", None, 2)


def test_sms_are_never_sent_by_smtp(
    outbox: Outbox, server: Collector, port: int, worker_for: Deliveries
) -> None:
    outbox.send(Sms("+15555550100", "Your passcode is 123456"))

    assert worker_for(f"smtp://127.0.0.1:{port}").run_once() == 0

    assert server.received == []
    assert only(outbox).status == "stored"


def url_with(password: str, port: int) -> str:
    return f"smtp://{quote(USER, safe='')}:{quote(password, safe='')}@127.0.0.1:{port}"


def test_credentials_from_the_url_log_in(outbox: Outbox, port: int, worker_for: Deliveries) -> None:
    outbox.send(owner_email(b"\xff\xd8\xff\xe0photo"))

    with smtp_server(port, Accounts(USER, PASSWORD)) as server:
        assert worker_for(url_with(PASSWORD, port)).run_once() == 1

    assert [r.login for r in server.received] == [USER]
    assert only(outbox).status == "sent"


def test_wrong_credentials_fail_without_the_password_in_logs_or_errors(
    outbox: Outbox, port: int, worker_for: Deliveries, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wr0ng-p@ssword"
    outbox.send(owner_email(b"\xff\xd8\xff\xe0photo"))

    with smtp_server(port, Accounts(USER, PASSWORD)) as server:
        worker = worker_for(url_with(wrong, port))
        assert worker.run_once() == 0

    assert server.received == []
    failed = only(outbox)
    assert (failed.status, failed.tries) == ("failed", 1)
    assert failed.error is not None
    assert "SMTPAuthenticationError" in failed.error
    assert wrong not in failed.error
    assert any(r.name.startswith("smartdoor") and "not delivered" in r.message for r in caplog.records)
    assert wrong not in caplog.text
    assert quote(wrong, safe="") not in caplog.text


@pytest.mark.parametrize("implicit_tls", [False, True], ids=["starttls", "smtps"])
def test_tls_with_login(
    outbox: Outbox, clock: ManualClock, port: int, tmp_path: Path, implicit_tls: bool
) -> None:
    server_tls, client_tls = tls_contexts(tmp_path)
    scheme = "smtps" if implicit_tls else "smtp"
    query = "" if implicit_tls else "?starttls=true"
    url = f"{scheme}://{quote(USER, safe='')}:{quote(PASSWORD, safe='')}@127.0.0.1:{port}{query}"
    delivery = SmtpDelivery(SmtpSettings.from_url(url), SENDER, timeout=5, tls_context=client_tls)
    outbox.send(owner_email(b"\xff\xd8\xff\xe0photo"))

    with smtp_server(port, Accounts(USER, PASSWORD), tls=server_tls, implicit_tls=implicit_tls) as server:
        assert DeliveryWorker(outbox, delivery, clock, SENDER).run_once() == 1

    assert [r.login for r in server.received] == [USER]


def test_the_worker_thread_delivers_in_the_background(
    outbox: Outbox, server: Collector, port: int, worker_for: Deliveries
) -> None:
    worker = worker_for(f"smtp://127.0.0.1:{port}")
    worker.start()
    worker.start()  # a second start while running does nothing
    try:
        outbox.send(owner_email(b"\xff\xd8\xff\xe0photo"))
        deadline = time.monotonic() + 20  # a bound for a stuck test, not a speed requirement
        while only(outbox).status != "sent" and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()

    assert only(outbox).status == "sent"
    assert len(server.received) == 1


class FlakyDelivery:
    """Fails with an unexpected error first, then accepts everything."""

    def __init__(self) -> None:
        self.delivered: list[EmailMessage] = []
        self.calls = 0

    def deliver(self, message: EmailMessage) -> None:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("boom")
        self.delivered.append(message)


def wait_for(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 20  # a bound for a stuck test, not a speed requirement
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_the_worker_thread_survives_an_unexpected_error(outbox: Outbox, clock: ManualClock) -> None:
    delivery = FlakyDelivery()
    worker = DeliveryWorker(outbox, delivery, clock, SENDER, interval=0.02)
    worker.start()
    try:
        outbox.send(owner_email(b"\xff\xd8\xff\xe0photo"))
        assert wait_for(lambda: only(outbox).status == "failed")
        assert only(outbox).error == "RuntimeError: boom"
        clock.advance(minutes=10)
        assert wait_for(lambda: only(outbox).status == "sent")
    finally:
        worker.stop()
    assert len(delivery.delivered) == 1


def test_stop_without_start_is_harmless(outbox: Outbox, clock: ManualClock) -> None:
    DeliveryWorker(outbox, FlakyDelivery(), clock, SENDER).stop()


def test_retries_back_off_exponentially_up_to_ten_minutes() -> None:
    assert [retry_delay(n).total_seconds() for n in range(1, 10)] == [5, 10, 20, 40, 80, 160, 320, 600, 600]
    assert retry_delay(10_000) == timedelta(minutes=10)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", SmtpSettings("mail.example.com", 25)),
        ("smtp://mail.example.com:2525", SmtpSettings("mail.example.com", 2525)),
        ("smtp://mail.example.com?starttls=false", SmtpSettings("mail.example.com", 25)),
        (
            "smtp://u:pw@mail.example.com?starttls=true",
            SmtpSettings("mail.example.com", 587, "starttls", "u", "pw"),
        ),
        (
            "smtp://u:pw@mail.example.com:2587?starttls=1",
            SmtpSettings("mail.example.com", 2587, "starttls", "u", "pw"),
        ),
        ("smtps://mail.example.com", SmtpSettings("mail.example.com", 465, "tls")),
        ("smtps://u@mail.example.com:4650", SmtpSettings("mail.example.com", 4650, "tls", "u")),
        ("smtp://u:@h", SmtpSettings("h", 25, "none", "u", "")),
        ("smtp://[::1]:2525", SmtpSettings("::1", 2525)),
        (
            "smtp://door%40example.com:p%40ss%3Aw%2Frd%25%20secret@mail.example.com",
            SmtpSettings("mail.example.com", 25, "none", USER, PASSWORD),
        ),
    ],
)
def test_smtp_settings_from_url(url: str, expected: SmtpSettings) -> None:
    assert SmtpSettings.from_url(url) == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "scheme"),
        ("mail.example.com", "scheme"),
        ("http://u:topsecret@mail.example.com", "scheme"),
        ("smtp://", "host is missing"),
        ("smtp://u:topsecret@:25", "host is missing"),
        ("smtp://u:topsecret@mail.example.com:port", "port"),
        ("smtp://mail.example.com:70000", "port"),
        ("smtp://mail.example.com:0", "port"),
        ("smtp://u:topsecret@mail.example.com/inbox", "path"),
        ("smtps://mail.example.com?starttls=true", "already TLS"),
        ("smtp://mail.example.com?tls=yes", "unknown parameter"),
        ("smtp://mail.example.com?starttls=maybe", "starttls must be true or false"),
    ],
)
def test_smtp_settings_reject_bad_urls_without_quoting_them(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as raised:
        SmtpSettings.from_url(url)
    assert "topsecret" not in str(raised.value)


def test_smtp_settings_repr_hides_the_password() -> None:
    settings = SmtpSettings.from_url(url_with(PASSWORD, 587))

    for shown in (repr(settings), str(settings), f"{settings}", repr([settings])):
        assert PASSWORD not in shown
        assert quote(PASSWORD, safe="") not in shown
        assert "password='***'" in shown
    assert "password=None" in repr(SmtpSettings.from_url("smtp://mail.example.com"))


def test_mime_parts_say_what_the_images_are() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
    email = Email(OWNER, "Two\nlines", "t", '<img src="cid:a"><img src="cid:b">', (("a", png), ("b", b"?")))

    mail = build_mime(email, SENDER, T0)

    types = {part["Content-ID"]: part.get_content_type() for part in mail.walk() if part["Content-ID"]}
    assert types == {"<a>": "image/png", "<b>": "application/octet-stream"}
    assert mail["Subject"] == "Two lines"  # a line break in a header is never passed on
    assert mail["Date"] == "Mon, 23 Nov 2026 09:30:00 +0000"


def test_two_workers_on_one_email_deliver_it_once(
    outbox: Outbox, server: Collector, port: int, clock: ManualClock
) -> None:
    # Two server processes (--workers) each run a mail worker on the same outbox.
    outbox.send(owner_email(b"\xff\xd8\xff\xe0photo"))
    runners = 4
    start = threading.Barrier(runners)
    delivery = SmtpDelivery(SmtpSettings.from_url(f"smtp://127.0.0.1:{port}"), SENDER, timeout=5)

    def run(n: int) -> int:
        worker = DeliveryWorker(outbox, delivery, clock, SENDER, worker_id=f"w{n}")
        start.wait(timeout=10)
        return worker.run_once()

    with ThreadPoolExecutor(runners) as pool:
        delivered = list(pool.map(run, range(runners)))
    assert sum(delivered) == 1
    assert len(server.received) == 1
    assert (only(outbox).status, only(outbox).tries) == ("sent", 1)


class Killed(BaseException):
    """The worker's process killed in the middle of a delivery: nothing after it runs."""


class DyingDelivery:
    def deliver(self, message: EmailMessage) -> None:
        raise Killed


def test_a_worker_killed_mid_delivery_leaves_the_email_to_the_next_after_its_lease(
    outbox: Outbox, server: Collector, port: int, clock: ManualClock
) -> None:
    outbox.send(owner_email(b"\xff\xd8\xff\xe0photo"))
    with pytest.raises(Killed):
        DeliveryWorker(outbox, DyingDelivery(), clock, SENDER, worker_id="dying").run_once()
    smtp = SmtpDelivery(SmtpSettings.from_url(f"smtp://127.0.0.1:{port}"), SENDER, timeout=5)
    survivor = DeliveryWorker(outbox, smtp, clock, SENDER, worker_id="survivor")
    # The dying worker may still be talking to the server, as far as anyone can tell: wait for its lease.
    assert survivor.run_once() == 0
    clock.advance(seconds=MAIL_LEASE.total_seconds() - 1)
    assert survivor.run_once() == 0
    clock.advance(seconds=1)
    assert survivor.run_once() == 1
    assert survivor.run_once() == 0
    assert len(server.received) == 1
