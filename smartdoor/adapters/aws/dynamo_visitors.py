"""The VisitorRepository on DynamoDB (DB2 ``visitors``), items in the seed's shape.

faceId, name, phoneNumber and photos [{objectKey, bucket, createdTimestamp}] are the seed's attributes;
createdAt, feed and createdKey serve the newest-first listing (``byCreated``), and ``byFace`` finds a visitor
by face. Each operation is one request: a conditional put, a get, a query, an update with ``list_append``
(two concurrent additions both land: no read, no lost update), a delete returning the old item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartdoor.adapters.aws.dynamo_items import (
    Item,
    n,
    photo_from,
    photo_value,
    query_page,
    s,
    text,
    time,
    to_micros,
)
from smartdoor.adapters.aws.errors import aws_errors
from smartdoor.adapters.aws.tables import ALL, VISITORS, created_key
from smartdoor.domain.errors import Conflict
from smartdoor.domain.model import Page, Photo, Visitor

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, PutTypeDef

_PAGE_KEY = frozenset({"visitorId", "feed", "createdKey"})


def visitor_item(visitor: Visitor) -> dict[str, AttributeValueTypeDef]:
    """The item for a new visitor (also what registration's TransactWriteItems puts)."""
    micros = to_micros(visitor.created_at)
    return {
        "visitorId": s(visitor.id),
        "faceId": s(visitor.face_id),
        "name": s(visitor.name),
        "phoneNumber": s(visitor.phone_number),
        "photos": {"L": [photo_value(p) for p in visitor.photos]},
        "createdAt": n(micros),
        "feed": s(ALL),
        "createdKey": s(created_key(micros, visitor.id)),
    }


def visitor_put(table: str, visitor: Visitor) -> PutTypeDef:
    """Adding a new visitor, as a Put (PutItem's arguments, or registration's TransactWriteItems item): its
    condition fails when the id is taken."""
    return {
        "TableName": table,
        "Item": visitor_item(visitor),
        "ConditionExpression": "attribute_not_exists(visitorId)",
    }


def id_taken(visitor: Visitor) -> Conflict:
    return Conflict(f"A visitor {visitor.id!r} already exists.")


def visitor_from(item: Item) -> Visitor:
    photos = item["photos"]["L"]
    return Visitor(
        text(item, "visitorId"),
        text(item, "faceId"),
        text(item, "name"),
        text(item, "phoneNumber"),
        tuple(photo_from(p) for p in photos),
        time(item, "createdAt"),
    )


class DynamoVisitors:
    def __init__(self, client: DynamoDBClient, table_name: str = VISITORS.default_name) -> None:
        self._client = client
        self._table = table_name

    def add(self, visitor: Visitor) -> None:
        with aws_errors("store the visitor", condition_failed=id_taken(visitor)):
            self._client.put_item(**visitor_put(self._table, visitor))

    def get(self, visitor_id: str) -> Visitor | None:
        with aws_errors("read a visitor"):
            response = self._client.get_item(
                TableName=self._table, Key={"visitorId": s(visitor_id)}, ConsistentRead=True
            )
        item = response.get("Item")
        return visitor_from(item) if item else None

    def get_by_face(self, face_id: str) -> Visitor | None:
        # A GSI read is eventually consistent: a visitor registered a moment ago may be missed once, and the
        # face is then treated as its sighting still (the faces table is the source of truth for identity).
        with aws_errors("read a visitor by face"):
            response = self._client.query(
                TableName=self._table,
                IndexName="byFace",
                KeyConditionExpression="faceId = :face",
                ExpressionAttributeValues={":face": s(face_id)},
                Limit=1,
            )
        items = response.get("Items", [])
        return visitor_from(items[0]) if items else None

    def add_photo(self, visitor_id: str, photo: Photo) -> None:
        try:
            with aws_errors("add a photo"):
                self._client.update_item(
                    TableName=self._table,
                    Key={"visitorId": s(visitor_id)},
                    UpdateExpression="SET photos = list_append(photos, :photo)",
                    ConditionExpression="attribute_exists(visitorId)",
                    ExpressionAttributeValues={":photo": {"L": [photo_value(photo)]}},
                )
        except Conflict:
            return  # no such visitor (forgotten meanwhile): nothing to add it to, as in the other stores

    def list(self, limit: int, next_token: str | None) -> Page[Visitor]:
        with aws_errors("list visitors"):
            items, token = query_page(
                self._client,
                {
                    "TableName": self._table,
                    "IndexName": "byCreated",
                    "KeyConditionExpression": "feed = :all",
                    "ExpressionAttributeValues": {":all": s(ALL)},
                    "ScanIndexForward": False,
                },
                limit,
                _PAGE_KEY,
                {"feed": ALL},
                next_token,
            )
        return Page(tuple(visitor_from(i) for i in items), token)

    def delete(self, visitor_id: str) -> Visitor | None:
        with aws_errors("delete a visitor"):
            response = self._client.delete_item(
                TableName=self._table, Key={"visitorId": s(visitor_id)}, ReturnValues="ALL_OLD"
            )
        old = response.get("Attributes")
        return visitor_from(old) if old else None
