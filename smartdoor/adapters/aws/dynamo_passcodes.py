"""The PasscodeStore port on DynamoDB (the ``passcodes`` table): one conditional write per operation."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from smartdoor.adapters.aws.dynamo_items import conditional, from_micros, n, to_micros, ttl_seconds
from smartdoor.adapters.aws.errors import aws_errors
from smartdoor.domain.errors import PasscodeCollision
from smartdoor.domain.model import Passcode

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import PutTypeDef

# A live code collides; an expired one that the lazy TTL has not removed yet may be overwritten.
_FREE = "attribute_not_exists(codeHash) OR expiresAtMicros <= :now"


def passcode_put(table: str, passcode: Passcode, now: datetime) -> PutTypeDef:
    """Storing ``passcode``, as a Put (PutItem's arguments, or a TransactWriteItems item): its condition
    fails while a live passcode has the same hash."""
    p = passcode
    return {
        "TableName": table,
        "Item": {
            "codeHash": {"S": p.code_hash},
            "visitorId": {"S": p.visitor_id},
            "createdAt": n(to_micros(p.created_at)),
            "expiresAtMicros": n(to_micros(p.expires_at)),
            "expiresAt": n(ttl_seconds(p.expires_at)),
        },
        "ConditionExpression": _FREE,
        "ExpressionAttributeValues": {":now": n(to_micros(now))},
    }


def collision() -> PasscodeCollision:
    return PasscodeCollision("a live passcode has this code")


class DynamoPasscodes:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add(self, passcode: Passcode, now: datetime) -> None:
        with aws_errors("store the passcode", collision()):
            self._client.put_item(**passcode_put(self._table, passcode, now))

    def consume(self, code_hash: str, now: datetime) -> Passcode | None:
        # The delete is the check: of concurrent callers one deletes it, and an expired code stays put.
        answer = conditional(
            "use the passcode",
            lambda: self._client.delete_item(
                TableName=self._table,
                Key={"codeHash": {"S": code_hash}},
                ConditionExpression="expiresAtMicros > :now",
                ExpressionAttributeValues={":now": n(to_micros(now))},
                ReturnValues="ALL_OLD",
            ),
        )
        if answer is None:
            return None  # no such code, an expired one, or another caller used it first
        old = answer["Attributes"]
        return Passcode(
            old["codeHash"]["S"],
            old["visitorId"]["S"],
            from_micros(int(old["createdAt"]["N"])),
            from_micros(int(old["expiresAtMicros"]["N"])),
        )
