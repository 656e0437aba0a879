"""The SightingRepository on DynamoDB: a status change is one conditional UpdateItem.

The transition's condition is on the status alone; when it fails, DynamoDB hands back the item as it was
(ReturnValuesOnConditionCheckFailure=ALL_OLD), so "no such sighting" (NotFound) and "already decided"
(Conflict) are told apart without a second read that a concurrent writer could make stale.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from smartdoor.adapters.aws.dynamo_items import (
    Item,
    n,
    optional_text,
    photo_from,
    photo_value,
    query_page,
    s,
    text,
    time,
    to_micros,
)
from smartdoor.adapters.aws.errors import CONDITION_FAILED, aws_errors, error_code
from smartdoor.adapters.aws.tables import ALL, SIGHTINGS, created_key
from smartdoor.domain.errors import Conflict, NotFound
from smartdoor.domain.model import Page, Sighting, SightingStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
        UpdateTypeDef,
    )

_ALL_KEY = frozenset({"sightingId", "feed", "createdKey"})
_STATUS_KEY = frozenset({"sightingId", "status", "createdKey"})


def sighting_item(sighting: Sighting) -> dict[str, AttributeValueTypeDef]:
    micros = to_micros(sighting.created_at)
    item: dict[str, AttributeValueTypeDef] = {
        "sightingId": s(sighting.id),
        "faceId": s(sighting.face_id),
        "cameraId": s(sighting.camera_id),
        "status": s(sighting.status.value),
        "createdAt": n(micros),
        "feed": s(ALL),
        "createdKey": s(created_key(micros, sighting.id)),
    }
    if sighting.photo is not None:
        item["photo"] = photo_value(sighting.photo)
    if sighting.face_photo is not None:
        item["facePhoto"] = photo_value(sighting.face_photo)
    if sighting.visitor_id is not None:
        item["visitorId"] = s(sighting.visitor_id)
    if sighting.decided_at is not None:
        item["decidedAt"] = n(to_micros(sighting.decided_at))
    return item


def add_sighting_with(
    client: DynamoDBClient,
    table: str,
    sighting: Sighting,
    message_put: TransactWriteItemTypeDef,
    action: str,
) -> None:
    """Store a new sighting and queue its message as one TransactWriteItems: the sighting's Put (on a new
    id) and ``message_put`` (conditional on its own new key) both commit or neither does.

    Conflict: the sighting's id or the message's key is taken (the same unit applied again)."""
    taken = Conflict(f"A sighting {sighting.id!r} already exists.")
    with aws_errors(action, condition_failed=taken):
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": sighting_item(sighting),
                        "ConditionExpression": "attribute_not_exists(sightingId)",
                    }
                },
                message_put,
            ]
        )


def sighting_from(item: Item) -> Sighting:
    return Sighting(
        id=text(item, "sightingId"),
        face_id=text(item, "faceId"),
        camera_id=text(item, "cameraId"),
        status=SightingStatus(text(item, "status")),
        created_at=time(item, "createdAt"),
        photo=photo_from(item["photo"]) if "photo" in item else None,
        visitor_id=optional_text(item, "visitorId"),
        decided_at=time(item, "decidedAt") if "decidedAt" in item else None,
        face_photo=photo_from(item["facePhoto"]) if "facePhoto" in item else None,
    )


def transition_update(
    table: str,
    sighting_id: str,
    allowed_from: frozenset[SightingStatus],
    to: SightingStatus,
    decided_at: datetime,
    visitor_id: str | None = None,
) -> UpdateTypeDef:
    """The status change, as an Update (UpdateItem's arguments, or a TransactWriteItems item): its condition
    fails unless the status is one of ``allowed_from``, handing back the item as it was (``refusal``)."""
    allowed = sorted(status.value for status in allowed_from)
    marks = {f":from{i}": s(value) for i, value in enumerate(allowed)}
    values: dict[str, AttributeValueTypeDef] = {
        ":to": s(to.value),
        ":decided": n(to_micros(decided_at)),
        **marks,
    }
    update = "SET #status = :to, decidedAt = :decided"
    if visitor_id is not None:
        update += ", visitorId = :visitor"
        values[":visitor"] = s(visitor_id)
    return {
        "TableName": table,
        "Key": {"sightingId": s(sighting_id)},
        "UpdateExpression": update,
        "ConditionExpression": f"#status IN ({', '.join(marks)})",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": values,
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }


def refusal(sighting_id: str, old: Item | None) -> Conflict | NotFound:
    """What a failed transition means, from the item as it was (None: there was none)."""
    if not old:
        return NotFound(f"No sighting {sighting_id!r}.")
    return Conflict(f"This visitor was already handled: {text(old, 'status').lower()}.")


class DynamoSightings:
    def __init__(self, client: DynamoDBClient, table_name: str = SIGHTINGS.default_name) -> None:
        self._client = client
        self._table = table_name

    def add(self, sighting: Sighting) -> None:
        taken = Conflict(f"A sighting {sighting.id!r} already exists.")
        with aws_errors("store the sighting", condition_failed=taken):
            self._client.put_item(
                TableName=self._table,
                Item=sighting_item(sighting),
                ConditionExpression="attribute_not_exists(sightingId)",
            )

    def get(self, sighting_id: str) -> Sighting | None:
        with aws_errors("read a sighting"):
            response = self._client.get_item(
                TableName=self._table, Key={"sightingId": s(sighting_id)}, ConsistentRead=True
            )
        item = response.get("Item")
        return sighting_from(item) if item else None

    def list(self, status: SightingStatus | None, limit: int, next_token: str | None) -> Page[Sighting]:
        request: QueryInputTypeDef
        if status is None:
            request = {
                "TableName": self._table,
                "IndexName": "byCreated",
                "KeyConditionExpression": "feed = :all",
                "ExpressionAttributeValues": {":all": s(ALL)},
                "ScanIndexForward": False,
            }
            names, fixed = _ALL_KEY, {"feed": ALL}
        else:
            request = {
                "TableName": self._table,
                "IndexName": "byStatus",
                "KeyConditionExpression": "#status = :status",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":status": s(status.value)},
                "ScanIndexForward": False,
            }
            names, fixed = _STATUS_KEY, {"status": status.value}
        with aws_errors("list sightings"):
            items, token = query_page(self._client, request, limit, names, fixed, next_token)
        return Page(tuple(sighting_from(i) for i in items), token)

    def transition(
        self,
        sighting_id: str,
        allowed_from: frozenset[SightingStatus],
        to: SightingStatus,
        decided_at: datetime,
        visitor_id: str | None = None,
    ) -> Sighting:
        update = transition_update(self._table, sighting_id, allowed_from, to, decided_at, visitor_id)
        with aws_errors("update the sighting"):
            try:
                response = self._client.update_item(**update, ReturnValues="ALL_NEW")
            except ClientError as exc:
                if error_code(exc) in CONDITION_FAILED:
                    old: Item | None = exc.response.get("Item")  # type: ignore[assignment]
                    raise refusal(sighting_id, old) from exc
                raise  # aws_errors translates the rest
        return sighting_from(response["Attributes"])
