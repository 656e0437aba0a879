"""The outbox sender Lambda (stream_handler.outbox.handler) on the moto server: the door's units of work
on build_aws queue their messages, the outbox table's stream records (built from the real items, in
Lambda's shape) and the EventBridge schedule drive the handler, and what left is counted in moto's SES and
SNS. SES and SNS failures are injected at botocore's before-send hook, so the retry handler, the error
parser and the adapters run as on AWS."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.awsrequest import HTTPHeaders

from smartdoor.adapters.aws.outbox_dispatcher import FIRST_RETRY, LEASE, OutboxDispatcher
from smartdoor.adapters.aws.ses_mailer import SesMailer
from smartdoor.adapters.aws.sns_sms import SnsSmsSender
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.offline_aws import stand_up
from smartdoor.adapters.memory.rekognition import MarkedImageCropper, SeenFace, marked_image
from smartdoor.bootstrap import AwsClients, build_aws, build_outbox_dispatcher
from smartdoor.domain.model import AccessDecision, BoundingBox, FaceEvent, Sms
from smartdoor.edges.lambda_outbox import set_dispatcher
from smartdoor.services.authorization import LinkHolder
from smartdoor.services.context import Door
from smartdoor.services.decisions import approve_visitor, register_visitor
from smartdoor.services.sightings import record_face_event
from stream_handler import outbox

from .conftest import Aws
from .door_settings import SETTINGS
from .injected_answers import JSON, XML, answer
from .outbox_events import LambdaContext, scheduled_event, stored_item, stream_event
from .sent_messages import email_texts, sms_texts
from .test_door_on_aws import approve_link
from .test_dynamo_outbox import Crash, CrashingMailer

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PHONE = "+12025550100"
NO_FAILURES: dict[str, list[Any]] = {"batchItemFailures": []}


@dataclass
class Sender:
    door: Door
    clients: AwsClients
    clock: ManualClock
    aws: Aws

    def use(self, clients: AwsClients | None = None, batch: int | None = None) -> OutboxDispatcher:
        """Make the Lambda's holder hand out a dispatcher over these clients (the container's, built once)."""
        aws = clients or self.clients
        built = build_outbox_dispatcher(SETTINGS, "container", aws, self.clock)
        if batch is not None:
            built = OutboxDispatcher(
                aws.dynamodb,
                SesMailer(aws.sesv2, SETTINGS.mail_from, self.clock),
                SnsSmsSender(aws.sns),
                self.clock,
                "container",
                batch=batch,
            )
        set_dispatcher(built)
        return built

    def emails(self) -> list[str]:
        return email_texts(self.aws)

    def texts(self) -> list[str]:
        return sms_texts(self.aws)

    def unsent(self) -> list[str]:
        return build_outbox_dispatcher(SETTINGS, "inspector", self.clients, self.clock).due()

    def stranger(self, likeness: tuple[float, float] = (0.7, 0.2), n: int = 0) -> str:
        """A new stranger at the door (one unit of work: the sighting and the owner's email); its id."""
        frame = marked_image(SeenFace(BoundingBox(0.3, 0.2, 0.4, 0.5), likeness))
        faces = self.door.faces.search_frame(frame, self.door.policy.match_threshold)  # type: ignore[attr-defined]
        event = FaceEvent("KVS1", self.clock.now(), faces, f"KVS1/frame-{n}")
        [sighting] = record_face_event(self.door, event, frame)
        return sighting.id

    def stream(self, *message_ids: str, request: str = "req-stream") -> Any:
        return outbox.handler(stream_event(self.aws, message_ids), LambdaContext(request))

    def sweep(self, context: LambdaContext | None = None) -> Any:
        return outbox.handler(scheduled_event(), context or LambdaContext("req-sweep"))


@pytest.fixture
def sender(aws: Aws) -> Iterator[Sender]:
    clients, _fake = stand_up(aws.client, SETTINGS, "k" * 48)
    clock = ManualClock(T0)
    door = build_aws(SETTINGS, clients, clock, SequentialIds("id"), cropper=MarkedImageCropper())
    made = Sender(door, clients, clock, aws)
    made.use()
    yield made
    set_dispatcher(None)


def failing(aws: Aws, service: str, operation: str, status: int, body: bytes, headers: HTTPHeaders) -> Any:
    """A client of ``service`` on the moto server whose ``operation`` is answered with this error; the
    requests it swallowed are in ``client.failed``."""
    config = aws.client(service).meta.config
    client = aws.session.client(service, endpoint_url=aws.endpoint, config=config)  # type: ignore[call-overload]
    failed: list[str] = []

    def refuse(request: Any, **_: Any) -> Any:
        failed.append(request.url)
        return answer(request, status, headers, body)

    client.meta.events.register(f"before-send.{service}.{operation}", refuse)
    client.failed = failed
    return client


def ses_throttled(aws: Aws) -> Any:
    body = b'{"__type":"TooManyRequestsException","message":"Maximum sending rate exceeded."}'
    headers = HTTPHeaders.from_dict(
        {"Content-Type": "application/json", "x-amzn-ErrorType": "TooManyRequestsException"}
    )
    return failing(aws, "sesv2", "SendEmail", 429, body, headers)


def sns_failing(aws: Aws) -> Any:
    body = (
        b"<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>oops</Message>"
        b"</Error><RequestId>r-1</RequestId></ErrorResponse>"
    )
    return failing(aws, "sns", "Publish", 500, body, XML)


def sns_refusing(aws: Aws) -> Any:
    body = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code>"
        b"<Message>Invalid parameter: PhoneNumber Reason: +12025550199 is not valid to publish to</Message>"
        b"</Error><RequestId>r-2</RequestId></ErrorResponse>"
    )
    return failing(aws, "sns", "Publish", 400, body, XML)


def register(s: Sender, sighting_id: str) -> None:
    """The owner approves the stranger from the emailed link and registers them: the SMS is queued."""
    [email] = s.emails()
    link = LinkHolder(approve_link(email))
    approve_visitor(s.door, link, sighting_id, AccessDecision.APPROVE)
    assert register_visitor(s.door, link, sighting_id, "Ada", PHONE).passcode_sent


def test_a_stranger_s_email_and_the_registration_s_sms_leave_once_each_through_the_stream(
    sender: Sender,
) -> None:
    s = sender
    sighting_id = s.stranger()
    [email_id] = s.unsent()
    assert email_id == f"email:sighting:{sighting_id}"
    for _ in range(3):  # the same batch delivered three times
        assert s.stream(email_id) == NO_FAILURES
    [email] = s.emails()
    assert "Someone you don't know yet is at your door." in email
    assert stored_item(s.aws, email_id)["sentBy"] == {"S": "req-stream"}  # the request id claimed it

    register(s, sighting_id)
    [sms_id] = s.unsent()
    assert s.texts() == []  # queued with the registration, sent by the Lambda
    for request in ("req-1", "req-2", "req-3"):
        assert s.stream(sms_id, request=request) == NO_FAILURES
    [sms] = s.texts()
    assert "passcode" in sms
    assert stored_item(s.aws, sms_id)["sentBy"] == {"S": "req-1"}
    assert s.sweep() == {"sent": 0, "tried": 0, "stopped": None}
    assert (len(s.emails()), len(s.texts())) == (1, 1)


def test_the_images_of_the_sender_s_own_writes_send_nothing(sender: Sender) -> None:
    s = sender
    s.stranger()
    [email_id] = s.unsent()
    crashed = replace(s.clients, sesv2=ses_throttled(s.aws))
    s.use(crashed)
    assert s.stream(email_id) == NO_FAILURES  # claimed, throttled: the item now holds its backoff
    backoff = stream_event(s.aws, [email_id], "MODIFY")
    assert "claimedUntil" in backoff["Records"][0]["dynamodb"]["NewImage"]
    s.use()
    s.clock.advance(seconds=FIRST_RETRY.total_seconds())
    assert outbox.handler(backoff, LambdaContext("req-2")) == NO_FAILURES
    assert s.emails() == []  # a claim's or a backoff's image is the sweep's, not the stream's
    assert s.sweep()["sent"] == 1
    sent = stream_event(s.aws, [email_id], "MODIFY")  # the mark's image: no unsent
    assert outbox.handler(sent, LambdaContext("req-3")) == NO_FAILURES
    assert len(s.emails()) == 1


def test_two_handlers_at_once_on_the_same_record_send_once(sender: Sender) -> None:
    s = sender
    s.stranger()
    [email_id] = s.unsent()
    event = stream_event(s.aws, [email_id])
    runners = 6
    start = threading.Barrier(runners)
    answers: list[Any] = []

    def run(n: int) -> None:
        start.wait(timeout=10)
        answers.append(outbox.handler(event, LambdaContext(f"req-{n}")))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [NO_FAILURES] * runners
    assert len(s.emails()) == 1


def test_throttled_ses_fails_no_record_and_the_sweep_sends_the_email_after_its_backoff(
    sender: Sender,
) -> None:
    s = sender
    s.stranger()
    [email_id] = s.unsent()
    throttled = ses_throttled(s.aws)
    s.use(replace(s.clients, sesv2=throttled))
    assert s.stream(email_id) == NO_FAILURES  # the shard goes on
    assert (len(throttled.failed), s.emails()) == (3, [])  # botocore's three tries, all throttled
    item = stored_item(s.aws, email_id)
    assert "throttled" in item["lastError"]["S"]
    s.use()  # SES is back
    s.clock.advance(seconds=FIRST_RETRY.total_seconds() - 1)
    assert s.sweep() == {"sent": 0, "tried": 0, "stopped": None}  # the backoff still holds it
    s.clock.advance(seconds=1)
    assert s.sweep() == {"sent": 1, "tried": 1, "stopped": None}
    assert s.sweep() == {"sent": 0, "tried": 0, "stopped": None}
    assert len(s.emails()) == 1


def test_failing_sns_fails_no_record_and_the_sweep_sends_the_sms_after_its_backoff(sender: Sender) -> None:
    s = sender
    s.door.sms.send(Sms(PHONE, "Your code is 123456."))
    [sms_id] = s.unsent()
    broken = sns_failing(s.aws)
    s.use(replace(s.clients, sns=broken))
    assert s.stream(sms_id) == NO_FAILURES
    assert s.texts() == []
    s.clock.advance(seconds=FIRST_RETRY.total_seconds())
    assert s.sweep() == {"sent": 0, "tried": 1, "stopped": None}  # still failing: the next backoff, doubled
    assert len(broken.failed) == 6
    s.use()
    s.clock.advance(seconds=2 * FIRST_RETRY.total_seconds() - 1)
    assert s.sweep()["tried"] == 0
    s.clock.advance(seconds=1)
    assert s.sweep() == {"sent": 1, "tried": 1, "stopped": None}
    assert s.texts() == ["Your code is 123456."]
    assert stored_item(s.aws, sms_id)["tries"] == {"N": "3"}


def test_a_number_sns_refuses_for_good_is_not_retried(sender: Sender) -> None:
    s = sender
    s.door.sms.send(Sms("+12025550199", "Your code is 123456."))
    [sms_id] = s.unsent()
    refusing = sns_refusing(s.aws)
    s.use(replace(s.clients, sns=refusing))
    assert s.stream(sms_id) == NO_FAILURES
    assert len(refusing.failed) == 1  # no retry of a refusal, not even botocore's
    assert s.unsent() == []  # out of the index, with the reason
    item = stored_item(s.aws, sms_id)
    assert "failedAt" in item
    assert "InvalidParameter" in item["lastError"]["S"]
    for _ in range(3):
        s.clock.advance(minutes=20)
        assert s.sweep() == {"sent": 0, "tried": 0, "stopped": None}
        assert s.stream(sms_id) == NO_FAILURES
    assert (len(refusing.failed), s.texts()) == (1, [])


def test_the_sweep_sends_a_message_whose_runner_died_once_its_lease_lapsed(sender: Sender) -> None:
    s = sender
    s.stranger()
    [email_id] = s.unsent()
    dying = OutboxDispatcher(
        s.clients.dynamodb, CrashingMailer(), SnsSmsSender(s.clients.sns), s.clock, "dead"
    )
    with pytest.raises(Crash):
        dying.dispatch(email_id)
    assert s.stream(email_id) == NO_FAILURES  # a re-delivered record: the dead runner's lease holds it
    s.clock.advance(seconds=LEASE.total_seconds() - 1)
    assert s.sweep() == {"sent": 0, "tried": 0, "stopped": None}
    assert s.emails() == []
    s.clock.advance(seconds=1)
    assert s.sweep(LambdaContext("req-after")) == {"sent": 1, "tried": 1, "stopped": None}
    assert len(s.emails()) == 1
    assert stored_item(s.aws, email_id)["sentBy"] == {"S": "req-after"}


def test_the_sweep_stops_before_the_lambda_s_time_runs_out(sender: Sender) -> None:
    s = sender
    for n in range(5):
        s.door.sms.send(Sms(PHONE, f"Message {n}."))
    reserve = int(outbox.SWEEP_RESERVE.total_seconds() * 1000)
    # Each look at the clock finds 10 s less: the page, messages 0 and 1 start; message 2 would end too late.
    context = LambdaContext("req-1", remaining_ms=reserve + 30_000, step_ms=10_000)
    assert s.sweep(context) == {"sent": 2, "tried": 2, "stopped": "time"}
    assert context.looks[-1] == reserve  # it stopped at the first look that left only the reserve
    assert s.texts() == ["Message 0.", "Message 1."]
    assert s.sweep() == {"sent": 3, "tried": 3, "stopped": None}


def test_the_sweep_tries_at_most_its_limit_and_looks_past_the_backoffs(
    sender: Sender, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = sender
    for n in range(3):
        s.door.sms.send(Sms(PHONE, f"Early {n}."))
    s.use(replace(s.clients, sns=sns_failing(s.aws)), batch=2)
    assert s.sweep()["tried"] == 3  # each now waits out a backoff at the head of the index
    for n in range(4):
        s.door.sms.send(Sms(PHONE, f"Late {n}."))
    s.use(batch=2)  # pages of two: the backoffs fill the first pages
    monkeypatch.setattr(outbox, "SWEEP_LIMIT", 3)
    assert s.sweep() == {"sent": 3, "tried": 3, "stopped": "limit"}
    assert s.sweep() == {"sent": 1, "tried": 1, "stopped": None}
    assert s.texts() == ["Late 0.", "Late 1.", "Late 2.", "Late 3."]


def test_dynamodb_down_at_the_claim_fails_no_record_and_the_sweep_sends_it_later(sender: Sender) -> None:
    s = sender
    s.stranger()
    [email_id] = s.unsent()
    body = b'{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"down"}'
    down = failing(s.aws, "dynamodb", "UpdateItem", 500, body, JSON)
    s.use(replace(s.clients, dynamodb=down))
    assert s.stream(email_id) == NO_FAILURES  # the shard goes on: the message stays in the index
    assert (len(down.failed), s.emails()) == (3, [])
    s.use()
    assert s.unsent() == [email_id]
    assert s.sweep() == {"sent": 1, "tried": 1, "stopped": None}
    assert len(s.emails()) == 1


def test_an_unexpected_failure_fails_the_record_and_its_re_delivery_sends_nothing_twice(
    sender: Sender,
) -> None:
    s = sender
    s.stranger()
    [email_id] = s.unsent()
    event = stream_event(s.aws, [email_id])
    sequence = event["Records"][0]["dynamodb"]["SequenceNumber"]
    crashing = OutboxDispatcher(
        s.clients.dynamodb, CrashingMailer(), SnsSmsSender(s.clients.sns), s.clock, "x"
    )
    set_dispatcher(crashing)
    assert outbox.handler(event, LambdaContext("req-1")) == {
        "batchItemFailures": [{"itemIdentifier": sequence}]
    }
    s.use()
    assert outbox.handler(event, LambdaContext("req-2")) == NO_FAILURES  # the failed try's lease holds it
    assert s.emails() == []
    s.clock.advance(seconds=LEASE.total_seconds())
    assert s.sweep()["sent"] == 1
    assert outbox.handler(event, LambdaContext("req-3")) == NO_FAILURES
    assert len(s.emails()) == 1
