"""Mail, SMS and console pushes kept in lists a test can read."""

from __future__ import annotations

from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.model import Email, Sighting, Sms


class MemoryMailer:
    def __init__(self) -> None:
        self.sent: list[Email] = []
        self.fail = False  # set to simulate a mail outage

    def send(self, email: Email) -> None:
        if self.fail:
            raise StorageUnavailable("mail server unreachable")
        self.sent.append(email)


class MemorySms:
    def __init__(self) -> None:
        self.sent: list[Sms] = []
        self.fail = False  # set to simulate an outbox that cannot take the SMS

    def send(self, sms: Sms) -> None:
        if self.fail:
            raise StorageUnavailable("SMS outbox unreachable")
        self.sent.append(sms)


class MemoryPublisher:
    def __init__(self) -> None:
        self.published: list[Sighting] = []

    def publish(self, sighting: Sighting) -> None:
        self.published.append(sighting)
