"""The DynamoDB outbox and its dispatcher on the moto server: each message sent once after commit, what a
crash leaves is sent on the next run, and a message processed twice (or by two runners) leaves once.
What left is counted in moto's own SES and SNS backends."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from smartdoor.adapters.aws.dynamo_outbox import DynamoOutbox
from smartdoor.adapters.aws.outbox_dispatcher import LEASE, OutboxDispatcher
from smartdoor.adapters.aws.ses_mailer import SesMailer
from smartdoor.adapters.aws.sns_sms import SnsSmsSender
from smartdoor.adapters.aws.tables import OUTBOX, create_table
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.domain.model import Email, Sms
from smartdoor.ports import Mailer

from .conftest import Aws
from .test_message_contracts import JPEG, SENDER, ses_sent, sns_sent

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
EMAIL = Email("owner@example.com", "A visitor", "Someone is here.", '<img src="cid:face">', (("face", JPEG),))
SMS = Sms("+12025550100", "Your code is 123456.")


class Crash(Exception):
    """The process dying mid-send: not a provider error, so the dispatcher records nothing."""


class CrashingMailer:
    def __init__(self) -> None:
        self.calls = 0

    def send(self, email: Email) -> None:
        self.calls += 1
        raise Crash


@dataclass
class Rig:
    aws: Aws
    clock: ManualClock
    outbox: DynamoOutbox

    def dispatcher(self, name: str = "d1", mailer: Mailer | None = None) -> OutboxDispatcher:
        ses = SesMailer(self.aws.sesv2(), SENDER, self.clock)
        return OutboxDispatcher(
            self.aws.dynamodb(),
            mailer or ses,
            SnsSmsSender(self.aws.sns()),
            self.clock,
            name,
        )

    def unsent(self) -> list[str]:
        return self.dispatcher("inspector").due()


@pytest.fixture
def rig(aws: Aws) -> Rig:
    create_table(aws.dynamodb(), OUTBOX)
    aws.sesv2().create_email_identity(EmailIdentity=SENDER)
    clock = ManualClock(T0)
    return Rig(aws, clock, DynamoOutbox(aws.dynamodb(), clock, SequentialIds("msg")))


def test_queued_messages_leave_once_in_order(rig: Rig) -> None:
    rig.outbox.send(EMAIL)
    rig.outbox.send(SMS)
    assert rig.unsent() == ["msg-1", "msg-2"]
    assert rig.dispatcher().run_once() == 2
    assert ses_sent(rig.aws) == [EMAIL]
    assert sns_sent(rig.aws) == [SMS]
    assert rig.unsent() == []
    assert rig.dispatcher().run_once() == 0  # nothing is sent twice
    assert (len(ses_sent(rig.aws)), len(sns_sent(rig.aws))) == (1, 1)
    item = rig.aws.dynamodb().get_item(TableName="outbox", Key={"messageId": {"S": "msg-1"}})["Item"]
    assert {k: item[k] for k in ("sentBy", "tries")} == {"sentBy": {"S": "d1"}, "tries": {"N": "1"}}
    assert "unsent" not in item


def test_a_crash_after_the_claim_is_sent_once_when_the_lease_ends(rig: Rig) -> None:
    rig.outbox.send(EMAIL)  # committed; then the runner dies in the middle of sending
    crashing = CrashingMailer()
    with pytest.raises(Crash):
        rig.dispatcher("dying", crashing).run_once()
    assert (crashing.calls, ses_sent(rig.aws)) == (1, [])
    assert rig.unsent() == ["msg-1"]  # nothing lost
    rig.clock.advance(seconds=LEASE.total_seconds() - 1)
    assert rig.dispatcher("next").run_once() == 0  # the dead runner's lease still holds it
    rig.clock.advance(seconds=1)
    assert rig.dispatcher("next").run_once() == 1
    assert rig.dispatcher("next").run_once() == 0
    assert ses_sent(rig.aws) == [EMAIL]


def test_a_crash_before_any_run_is_sent_by_the_next_run(rig: Rig) -> None:
    rig.outbox.send(SMS)  # the process that queued it died before its dispatcher ran
    assert rig.dispatcher("after-restart").run_once() == 1
    assert sns_sent(rig.aws) == [SMS]


def test_one_message_processed_twice_at_once_leaves_once(rig: Rig) -> None:
    rig.outbox.send(EMAIL)
    rig.outbox.send(SMS)
    runners = 8
    start = threading.Barrier(runners)

    def run(n: int) -> int:
        dispatcher = rig.dispatcher(f"d{n}")
        start.wait(timeout=10)
        return dispatcher.dispatch("msg-1") + dispatcher.dispatch("msg-2")

    with ThreadPoolExecutor(runners) as pool:
        sent = list(pool.map(run, range(runners)))
    assert sum(sent) == 2
    assert ses_sent(rig.aws) == [EMAIL]
    assert sns_sent(rig.aws) == [SMS]


def test_a_failing_provider_gets_the_message_back_after_a_backoff(rig: Rig) -> None:
    rig.aws.sesv2().delete_email_identity(EmailIdentity=SENDER)  # SES now refuses: MessageRejected
    rig.outbox.send(EMAIL)
    assert rig.dispatcher().run_once() == 0
    assert rig.unsent() == ["msg-1"]
    rig.aws.sesv2().create_email_identity(EmailIdentity=SENDER)
    rig.clock.advance(seconds=29)
    assert rig.dispatcher().run_once() == 0  # the first retry waits 30 s
    rig.clock.advance(seconds=1)
    assert rig.dispatcher().run_once() == 1
    assert ses_sent(rig.aws) == [EMAIL]


def test_a_message_the_provider_refuses_for_good_is_set_aside(rig: Rig) -> None:
    rig.outbox.send(Sms("0201 555 0100", "Your code is 123456."))  # not E.164: SNS would never take it
    assert rig.dispatcher().run_once() == 0
    assert rig.unsent() == []
    item = rig.aws.dynamodb().get_item(TableName="outbox", Key={"messageId": {"S": "msg-1"}})["Item"]
    assert item["lastError"]["S"] == "An SMS goes to an E.164 number only, e.g. +12065550100."
    assert sns_sent(rig.aws) == []
