"""What only SES and SNS do, on the moto server and on botocore's Stubber (which checks each request
against the service model): the raw message's shape, transactional SMS, E.164, and errors as domain errors."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from botocore.stub import ANY, Stubber

from smartdoor.adapters.aws.ses_mailer import SesMailer
from smartdoor.adapters.aws.sns_sms import SnsSmsSender
from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.domain.errors import InvalidInput, StorageUnavailable
from smartdoor.domain.model import Email, Sms

from .conftest import Aws
from .test_message_contracts import JPEG, SENDER, parse_raw

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OWNER = "owner@example.com"
EMAIL = Email(
    OWNER,
    "A visitor is at the door",
    "Someone is at the door.",
    '<p>Someone is at the door.</p><img src="cid:visitor-photo">',
    (("visitor-photo", JPEG),),
)
TRANSACTIONAL = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}


def _tree(part: EmailMessage) -> object:
    if part.is_multipart():
        return (part.get_content_type(), [_tree(p) for p in part.iter_parts()])  # type: ignore[arg-type]
    return part.get_content_type()


def test_ses_gets_one_raw_mime_message_with_the_photo_inline(aws: Aws) -> None:
    client = aws.sesv2()
    client.create_email_identity(EmailIdentity=SENDER)

    SesMailer(client, SENDER, ManualClock(T0)).send(EMAIL)

    [sent] = aws.backend("ses")["RawMessage"]
    assert sent["source"] == SENDER
    assert set(sent["destinations"]) == {OWNER}  # moto lists the To header's address a second time
    raw: str = sent["raw_data"]
    assert raw.isascii()  # 7-bit: SES's rule for raw messages
    assert "\n" not in raw.replace("\r\n", "")  # every line ends in CRLF
    message = parse_raw(raw)
    assert (message["From"], message["To"], message["Subject"]) == (SENDER, OWNER, EMAIL.subject)
    assert message["Date"] == "Mon, 23 Nov 2026 12:00:00 +0000"  # the injected clock, not the host's
    assert _tree(message) == (
        "multipart/alternative",
        ["text/plain", ("multipart/related", ["text/html", "image/jpeg"])],
    )
    image = next(p for p in message.walk() if p.get_content_type() == "image/jpeg")
    assert (image["Content-ID"], image.get_content_disposition()) == ("<visitor-photo>", "inline")
    assert image.get_content() == JPEG


def test_ses_request_names_the_sender_recipient_and_configuration_set(aws: Aws) -> None:
    client = aws.sesv2()
    mailer = SesMailer(client, SENDER, ManualClock(T0), configuration_set="door-events")
    with Stubber(client) as stub:
        stub.add_response(
            "send_email",
            {"MessageId": "m-1"},
            {
                "FromEmailAddress": SENDER,
                "Destination": {"ToAddresses": [OWNER]},
                "Content": {"Raw": {"Data": ANY}},  # the MIME bytes, checked above on moto
                "ConfigurationSetName": "door-events",
            },
        )
        mailer.send(EMAIL)
        stub.assert_no_pending_responses()


def test_an_unverified_sender_is_storage_unavailable_not_a_client_error(aws: Aws) -> None:
    # SES answers MessageRejected: an operator must verify the identity; the outbox retries meanwhile.
    with pytest.raises(StorageUnavailable, match="MessageRejected"):
        SesMailer(aws.sesv2(), SENDER, ManualClock(T0)).send(EMAIL)
    assert aws.backend("ses").get("RawMessage", []) == []


def test_ses_throttling_is_storage_unavailable(aws: Aws) -> None:
    client = aws.sesv2()
    with Stubber(client) as stub:
        stub.add_client_error(
            "send_email", service_error_code="TooManyRequestsException", http_status_code=429
        )
        with pytest.raises(StorageUnavailable, match="throttled"):
            SesMailer(client, SENDER, ManualClock(T0)).send(EMAIL)


@pytest.mark.parametrize("sender_id", [None, "SmartDoor"])
def test_an_sms_is_published_transactional_to_the_number(aws: Aws, sender_id: str | None) -> None:
    client = aws.sns()
    attributes = dict(TRANSACTIONAL)
    if sender_id:
        attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": sender_id}
    with Stubber(client) as stub:
        stub.add_response(
            "publish",
            {"MessageId": "sms-1"},
            {
                "PhoneNumber": "+12065550100",
                "Message": "Your code is 123456.",
                "MessageAttributes": attributes,
            },
        )
        SnsSmsSender(client, sender_id=sender_id).send(Sms("+12065550100", "Your code is 123456."))
        stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    "phone", ["+1 206 555 0100", "12065550100", "+0123456789", "+1206", "", "+1206555010x"]
)
def test_only_bare_e164_numbers_get_an_sms(aws: Aws, phone: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        SnsSmsSender(aws.sns()).send(Sms(phone, "Your code is 123456."))
    assert raised.value.field == "phoneNumber"
    assert aws.backend("sns").get("SMS", []) == []


def test_sns_errors_are_domain_errors(aws: Aws) -> None:
    client = aws.sns()
    sender = SnsSmsSender(client)
    with Stubber(client) as stub:
        stub.add_client_error("publish", service_error_code="Throttling", http_status_code=400)
        stub.add_client_error("publish", service_error_code="InvalidParameter", http_status_code=400)
        with pytest.raises(StorageUnavailable, match="throttled"):
            sender.send(Sms("+12065550100", "hi"))
        with pytest.raises(InvalidInput) as raised:
            sender.send(Sms("+12065550100", "hi"))
        assert raised.value.field == "phoneNumber"
