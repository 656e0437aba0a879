"""The Claims port on DynamoDB: items ``claim#<key>`` in the ``limits`` table, one write per operation."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from smartdoor.adapters.aws.dynamo_items import conditional, n, to_micros, ttl_seconds
from smartdoor.adapters.aws.errors import aws_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import PutTypeDef


def claim_key(key: str) -> dict[str, dict[str, str]]:
    return {"limitKey": {"S": f"claim#{key}"}}


def claim_put(table: str, key: str, expires_at: datetime, now: datetime) -> PutTypeDef:
    """Taking ``key`` until ``expires_at``, as a Put (PutItem's arguments, or a TransactWriteItems item):
    its condition fails while a live claim holds the key. An expired claim the lazy TTL has not removed
    yet is free again."""
    return {
        "TableName": table,
        "Item": {
            **claim_key(key),
            "expiresAtMicros": n(to_micros(expires_at)),
            "expiresAt": n(ttl_seconds(expires_at)),
        },
        "ConditionExpression": "attribute_not_exists(limitKey) OR expiresAtMicros <= :now",
        "ExpressionAttributeValues": {":now": n(to_micros(now))},
    }


class DynamoClaims:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def claim(self, key: str, expires_at: datetime, now: datetime) -> bool:
        put = claim_put(self._table, key, expires_at, now)
        taken = conditional("claim a key", lambda: self._client.put_item(**put))
        return taken is not None

    def extend(self, key: str, expires_at: datetime) -> None:
        # Only a claim that exists: extending a missing one must not create it.
        conditional(
            "extend a claim",
            lambda: self._client.update_item(
                TableName=self._table,
                Key=claim_key(key),
                UpdateExpression="SET expiresAtMicros = :until, expiresAt = :ttl",
                ConditionExpression="attribute_exists(limitKey)",
                ExpressionAttributeValues={
                    ":until": n(to_micros(expires_at)),
                    ":ttl": n(ttl_seconds(expires_at)),
                },
            ),
        )

    def release(self, key: str) -> None:
        with aws_errors("release a claim"):
            self._client.delete_item(TableName=self._table, Key=claim_key(key))
