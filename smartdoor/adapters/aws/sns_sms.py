"""The SmsSender port on SNS: transactional SMS straight to a phone number (no topic)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartdoor.adapters.aws.errors import aws_errors
from smartdoor.domain.errors import InvalidInput
from smartdoor.domain.model import Sms
from smartdoor.domain.visitor_details import clean_phone_number

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sns.type_defs import MessageAttributeValueTypeDef

# Transactional: delivered with priority even when the account's default is Promotional (cheaper, droppable).
# A passcode that arrives after its five minutes is worthless.
SMS_TYPE = "Transactional"


class SnsSmsSender:
    """``sender_id``: the alphanumeric sender shown where countries allow one (AWS.SNS.SMS.SenderID)."""

    def __init__(self, client: SNSClient, sender_id: str | None = None) -> None:
        self._client = client
        self._attributes: dict[str, MessageAttributeValueTypeDef] = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": SMS_TYPE}
        }
        if sender_id:
            self._attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": sender_id}

    def send(self, sms: Sms) -> None:
        # SNS wants bare E.164; the domain's rule, minus the separators it forgives in a form.
        try:
            bare = clean_phone_number(sms.phone_number) == sms.phone_number
        except InvalidInput:
            bare = False
        if not bare:
            raise InvalidInput("phoneNumber", "An SMS goes to an E.164 number only, e.g. +12065550100.")
        with aws_errors("send an SMS", invalid_field="phoneNumber"):
            self._client.publish(
                PhoneNumber=sms.phone_number, Message=sms.text, MessageAttributes=self._attributes
            )
