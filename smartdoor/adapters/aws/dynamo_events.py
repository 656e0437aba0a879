"""The EventLog on DynamoDB: the ``timeline`` table, one partition per door, newest first by eventKey."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartdoor.adapters.aws.dynamo_items import Item, n, optional_text, query_page, s, text, time, to_micros
from smartdoor.adapters.aws.errors import aws_errors
from smartdoor.adapters.aws.tables import TIMELINE, created_key
from smartdoor.domain.errors import Conflict
from smartdoor.domain.model import DoorEvent, DoorEventKind, Page

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_PAGE_KEY = frozenset({"feed", "eventKey"})
_OPTIONAL = (
    ("sightingId", "sighting_id"),
    ("visitorId", "visitor_id"),
    ("cameraId", "camera_id"),
    ("visitorName", "visitor_name"),
)


def event_item(door: str, event: DoorEvent) -> dict[str, AttributeValueTypeDef]:
    micros = to_micros(event.at)
    item: dict[str, AttributeValueTypeDef] = {
        "feed": s(door),
        "eventKey": s(created_key(micros, event.id)),
        "eventId": s(event.id),
        "kind": s(event.kind.value),
        "at": n(micros),
    }
    for attribute, field in _OPTIONAL:
        value = getattr(event, field)
        if value is not None:
            item[attribute] = s(value)
    return item


def event_from(item: Item) -> DoorEvent:
    return DoorEvent(
        text(item, "eventId"),
        DoorEventKind(text(item, "kind")),
        time(item, "at"),
        **{field: optional_text(item, attribute) for attribute, field in _OPTIONAL},
    )


class DynamoEventLog:
    """``door`` is the feed (partition) this door writes: one door's timeline is one Query."""

    def __init__(self, client: DynamoDBClient, door: str, table_name: str = TIMELINE.default_name) -> None:
        self._client = client
        self._door = door
        self._table = table_name

    def record(self, event: DoorEvent) -> None:
        taken = Conflict(f"A door event {event.id!r} is already recorded.")
        with aws_errors("record a door event", condition_failed=taken):
            self._client.put_item(
                TableName=self._table,
                Item=event_item(self._door, event),
                ConditionExpression="attribute_not_exists(eventKey)",
            )

    def list(self, limit: int, next_token: str | None) -> Page[DoorEvent]:
        with aws_errors("list door events"):
            items, token = query_page(
                self._client,
                {
                    "TableName": self._table,
                    "KeyConditionExpression": "feed = :door",
                    "ExpressionAttributeValues": {":door": s(self._door)},
                    "ScanIndexForward": False,
                },
                limit,
                _PAGE_KEY,
                {"feed": self._door},
                next_token,
            )
        return Page(tuple(event_from(i) for i in items), token)
