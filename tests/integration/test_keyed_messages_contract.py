"""Messages keyed by the unit of work that queues them: the memory fakes, the SQLite outbox and the
DynamoDB outbox on the moto server queue a key once, however often it is sent, and unkeyed messages
each time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from smartdoor.adapters.aws.dynamo_outbox import DynamoOutbox
from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
from smartdoor.adapters.aws.tables import OUTBOX, create_table
from smartdoor.adapters.local.outbox import Outbox
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.messaging import MemoryMailer, MemorySms
from smartdoor.domain.message_keys import passcode_sms_key, sighting_email_key
from smartdoor.domain.model import Email, Passcode, Sms
from smartdoor.ports import Mailer, SmsSender

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@dataclass
class Queue:
    mailer: Mailer
    sms: SmsSender
    queued: Callable[[], list[str]]  # each queued message's key, or "-" for one without, oldest first


@pytest.fixture(params=["memory", "sqlite", "dynamodb"])
def queue(request: pytest.FixtureRequest, clock: ManualClock) -> Queue:
    if request.param == "memory":
        mailer, sms = MemoryMailer(), MemorySms()
        return Queue(
            mailer, sms, lambda: [e.key or "-" for e in mailer.sent] + [s.key or "-" for s in sms.sent]
        )
    if request.param == "dynamodb":
        client = request.getfixturevalue("aws").dynamodb()
        table = create_table(client, OUTBOX)
        outbox = DynamoOutbox(client, clock, SequentialIds("-"), table)
        dispatcher = OutboxDispatcher(client, MemoryMailer(), MemorySms(), clock, "inspector", table)
        return Queue(
            outbox,
            outbox,
            lambda: sorted(k if k.startswith(("email:", "sms:")) else "-" for k in dispatcher.due()),
        )
    local = Outbox(request.getfixturevalue("db"), clock)
    return Queue(local, local, lambda: [m.key or "-" for m in reversed(local.list())])


def test_a_keyed_message_is_queued_once_and_unkeyed_ones_each_time(queue: Queue) -> None:
    alert = Email("owner@example.com", "Alert", "Many wrong codes.", "<p>Many</p>")
    sms = Sms("+12025550100", "Your code is 123456.", "sms:passcode:h1:20261123T120000000000Z")
    email = Email("owner@example.com", "Visitor", "Someone.", "<p>Someone</p>", (), "email:sighting:s1")
    for _ in range(2):
        queue.sms.send(sms)
        queue.mailer.send(alert)
        queue.mailer.send(email)
    assert sorted(queue.queued()) == ["-", "-", "email:sighting:s1", "sms:passcode:h1:20261123T120000000000Z"]


def test_keys_name_their_unit_and_never_repeat_for_another_message() -> None:
    assert sighting_email_key("s1") == "email:sighting:s1"
    code = Passcode("ab" * 32, "v1", T0, T0 + timedelta(minutes=5))
    assert passcode_sms_key(code) == f"sms:passcode:{'ab' * 16}:20261123T120000000000Z"
    # The same digits drawn again later (the first code used or expired) are another message.
    later = Passcode(code.code_hash, "v2", T0 + timedelta(microseconds=1), T0 + timedelta(minutes=6))
    assert passcode_sms_key(later) != passcode_sms_key(code)
