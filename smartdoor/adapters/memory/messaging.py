"""Mail, SMS and console pushes kept in lists a test can read."""

from __future__ import annotations

from collections.abc import Sequence

from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.model import Email, Sighting, Sms


def _queued(sent: Sequence[Email | Sms], key: str | None) -> bool:
    """A message with this key was queued already: queueing it again is a no-op, as in the outboxes."""
    return key is not None and any(m.key == key for m in sent)


class MemoryMailer:
    def __init__(self) -> None:
        self.sent: list[Email] = []
        self.fail = False  # set to simulate a mail outage

    def send(self, email: Email) -> None:
        if self.fail:
            raise StorageUnavailable("mail server unreachable")
        if not _queued(self.sent, email.key):
            self.sent.append(email)


class MemorySms:
    def __init__(self) -> None:
        self.sent: list[Sms] = []
        self.fail = False  # set to simulate an outbox that cannot take the SMS

    def send(self, sms: Sms) -> None:
        if self.fail:
            raise StorageUnavailable("SMS outbox unreachable")
        if not _queued(self.sent, sms.key):
            self.sent.append(sms)


class MemoryPublisher:
    def __init__(self) -> None:
        self.published: list[Sighting] = []

    def publish(self, sighting: Sighting) -> None:
        self.published.append(sighting)
