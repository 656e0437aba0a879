"""Delivers the outbox's emails over SMTP in a background thread, retrying failures with backoff.

Each email is delivered once, as far as SMTP allows: a worker claims the emails it is about to deliver in one
statement (until ``now + LEASE``), so two workers (``serve --workers``) never deliver the same email, and an
email whose worker died after claiming it is delivered by the next worker once the lease ends. A worker that
dies after the server accepted the email and before it marked it sent delivers it a second time later: SMTP
has no idempotency key. That window is one call wide: the mark is the next statement after the delivery.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from typing import Protocol

from smartdoor.adapters.local.outbox import Outbox, PendingEmail
from smartdoor.adapters.mime import build_mime
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.ports import Clock

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=5)
MAX_RETRY = timedelta(minutes=10)
LEASE = timedelta(minutes=2)  # far longer than one SMTP delivery, with its connect and read timeouts


class Delivery(Protocol):
    """Hands one MIME message to a mail server; raises StorageUnavailable when it cannot."""

    def deliver(self, message: EmailMessage) -> None: ...


def retry_delay(failures: int) -> timedelta:
    """5 s after the first failure, doubling, at most 10 min: a server back up is used soon, a dead one
    is not hammered."""
    return min(FIRST_RETRY * (1 << min(max(failures - 1, 0), 16)), MAX_RETRY)


class DeliveryWorker:
    """A daemon thread that moves pending emails from the outbox to SMTP; it logs errors and goes on."""

    def __init__(
        self,
        outbox: Outbox,
        delivery: Delivery,
        clock: Clock,
        sender: str,
        interval: float = 1.0,
        batch: int = 20,
        worker_id: str | None = None,
        lease: timedelta = LEASE,
    ) -> None:
        self._outbox = outbox
        self._id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._lease = lease
        self._delivery = delivery
        self._clock = clock
        self._sender = sender
        self._interval = interval
        self._batch = batch
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Claim the emails that are due and try each once; return how many were delivered."""
        now = self._clock.now()
        try:
            pending = self._outbox.claim_emails(now, now + self._lease, self._id, self._batch)
        except StorageUnavailable as exc:
            log.warning("mail worker: cannot read the outbox: %s", exc)
            return 0
        return sum(self._try(message) for message in pending)

    def _try(self, pending: PendingEmail) -> bool:
        try:
            self._delivery.deliver(build_mime(pending.email, self._sender, self._clock.now()))
        except Exception as exc:
            # StorageUnavailable carries a clean reason; anything else (a bad address, a bug) is reported by
            # type and text, never with the delivery's settings, so no password reaches the log.
            error = str(exc) if isinstance(exc, StorageUnavailable) else f"{type(exc).__name__}: {exc}"
            failures = pending.tries + 1
            retry_at = self._clock.now() + retry_delay(failures)
            log.warning(
                "mail worker: email %d not delivered (try %d, next at %s): %s",
                pending.id,
                failures,
                retry_at.isoformat(),
                error,
            )
            self._record(lambda: self._outbox.mark_failed(pending.id, error, retry_at, self._id))
            return False
        # If this write fails the email is sent again later: a duplicate beats a lost visitor alert.
        try:
            marked = self._outbox.mark_sent(pending.id, self._id)
        except StorageUnavailable as exc:
            log.warning("mail worker: cannot update the outbox: %s", exc)
            return False
        if not marked:
            log.warning(
                "mail worker: email %d was delivered after its claim lapsed; it may go twice", pending.id
            )
        return marked

    def _record(self, mark: Callable[[], None]) -> None:
        try:
            mark()
        except StorageUnavailable as exc:
            log.warning("mail worker: cannot update the outbox: %s", exc)

    def start(self) -> None:
        """Start the thread (once; a second call while it runs does nothing)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="smartdoor-mail", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the thread to stop and wait for it, at most ``timeout`` (an SMTP call may be in flight)."""
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("mail worker: still busy after %.0f s; leaving it (daemon thread)", timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("mail worker: unexpected error; going on")
            self._stopping.wait(self._interval)
