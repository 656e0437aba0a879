"""The outbox on DynamoDB: the Mailer and SmsSender ports write a message item; a dispatcher sends it later.

A message is written where the state that causes it is written (a registration's TransactWriteItems takes
``message_put``), so it exists exactly when that state does; ``OutboxDispatcher`` delivers it after commit.
An item holds the whole message, inline images included: DynamoDB's item limit is 400 KB, so a mailer keeps
its photos to a face crop or a downscaled frame.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from smartdoor.adapters.aws.dynamo_items import Item, n, number, s, text, to_micros
from smartdoor.adapters.aws.errors import CONDITION_FAILED, aws_errors, error_code
from smartdoor.adapters.aws.tables import ALL, OUTBOX, created_key
from smartdoor.domain.errors import Conflict
from smartdoor.domain.model import Email, Sms
from smartdoor.ports import Clock, IdGenerator

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef


def message_item(message_id: str, message: Email | Sms, now: datetime) -> dict[str, AttributeValueTypeDef]:
    """A new, unsent message: in the sparse ``unsent`` index until it is sent or given up on."""
    micros = to_micros(now)
    item: dict[str, AttributeValueTypeDef] = {
        "messageId": s(message_id),
        "createdAt": n(micros),
        "createdKey": s(created_key(micros, message_id)),
        "unsent": s(ALL),
        "tries": n(0),
    }
    if isinstance(message, Email):
        item |= {
            "kind": s("email"),
            "recipient": s(message.to),
            "subject": s(message.subject),
            "text": s(message.text),
            "html": s(message.html),
            "images": {
                "L": [{"M": {"cid": s(cid), "data": {"B": data}}} for cid, data in message.inline_images]
            },
        }
    else:
        item |= {"kind": s("sms"), "recipient": s(message.phone_number), "text": s(message.text)}
    return item


def message_from(item: Item) -> Email | Sms:
    if text(item, "kind") == "sms":
        return Sms(text(item, "recipient"), text(item, "text"))
    images = tuple((text(image["M"], "cid"), bytes(image["M"]["data"]["B"])) for image in item["images"]["L"])
    return Email(
        text(item, "recipient"), text(item, "subject"), text(item, "text"), text(item, "html"), images
    )


def tries(item: Item) -> int:
    return number(item, "tries")


class DynamoOutbox:
    """Implements ports.Mailer and ports.SmsSender by writing to the outbox table; nothing leaves here."""

    def __init__(
        self, client: DynamoDBClient, clock: Clock, ids: IdGenerator, table_name: str = OUTBOX.default_name
    ) -> None:
        self._client = client
        self._clock = clock
        self._ids = ids
        self._table = table_name

    def message_put(self, message: Email | Sms, message_id: str | None = None) -> TransactWriteItemTypeDef:
        """The Put for a TransactWriteItems that also writes the state causing this message. An id derived
        from that unit of work (the message's key, e.g. ``email:sighting:<id>``) makes a retried unit queue
        nothing twice."""
        return {
            "Put": {
                "TableName": self._table,
                "Item": message_item(
                    message_id or message.key or self._ids.new_id(), message, self._clock.now()
                ),
                "ConditionExpression": "attribute_not_exists(messageId)",
            }
        }

    def send(self, message: Email | Sms) -> None:
        """Queue the message on its own (a flow with no other write to join). A keyed message queued
        already is not queued again; a fresh id that is taken is a Conflict."""
        put = self.message_put(message)["Put"]
        with aws_errors("queue the message", condition_failed=Conflict("That message is already queued.")):
            try:
                self._client.put_item(
                    TableName=put["TableName"],
                    Item=put["Item"],
                    ConditionExpression=put["ConditionExpression"],
                )
            except ClientError as exc:
                if message.key is not None and error_code(exc) in CONDITION_FAILED:
                    return  # queued before, by the same unit of work
                raise
