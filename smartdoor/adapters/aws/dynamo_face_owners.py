"""The FaceOwners port on DynamoDB (the ``faces`` table): whose each indexed face is; every change is
conditional.

``faces_of`` reads the ``byOwner`` index, which is eventually consistent (a GSI has no consistent read): a
face given to a visitor a moment ago may be missing from it for a fraction of a second. Forgetting a visitor
copes because its promise holds either way: a face left behind is owned by a visitor who no longer exists, and
the sighting flow treats a match of such a face as a stranger's (no visitor behind it), so the next visit is a
stranger's. Only the face vector itself would stay in the collection; forgetting follows a registration by far
more than the index's lag, so in practice the index lists every face.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from smartdoor.adapters.aws.dynamo_items import Item, n, refusal_codes, s, text, time, to_micros
from smartdoor.adapters.aws.errors import CONDITION_FAILED, aws_errors
from smartdoor.adapters.aws.tables import FACES
from smartdoor.domain.errors import Conflict, StorageUnavailable
from smartdoor.domain.model import FaceOwner, OwnedFace, OwnerKind

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
        UpdateTypeDef,
    )

# A settle that met another transaction on the same faces is run again: its conditions decide then. Each
# lost round means another contender's transaction went through, so a few rounds end any contest.
MAX_ROUNDS = 16


def face_key(face_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"faceId": s(face_id)}


def owned_item(owned: OwnedFace) -> dict[str, AttributeValueTypeDef]:
    return {
        "faceId": s(owned.face_id),
        "ownerKind": s(owned.owner.kind.value),
        "ownerId": s(owned.owner.id),
        "indexedAt": n(to_micros(owned.indexed_at)),
        "settled": {"BOOL": owned.settled},
    }


def owned_from(item: Item) -> OwnedFace:
    owner = FaceOwner(OwnerKind(text(item, "ownerKind")), text(item, "ownerId"))
    return OwnedFace(text(item, "faceId"), owner, time(item, "indexedAt"), bool(item["settled"]["BOOL"]))


def give_update(table: str, face_id: str, to: FaceOwner, expected: FaceOwner) -> UpdateTypeDef:
    """The face given from ``expected`` to ``to`` (settled), as an Update for a TransactWriteItems or an
    UpdateItem: its condition fails unless ``expected`` owns the face now."""
    return {
        "TableName": table,
        "Key": face_key(face_id),
        "UpdateExpression": "SET ownerKind = :kind, ownerId = :owner, settled = :true",
        "ConditionExpression": "ownerKind = :was_kind AND ownerId = :was_owner",
        "ExpressionAttributeValues": {
            ":kind": s(to.kind.value),
            ":owner": s(to.id),
            ":true": {"BOOL": True},
            ":was_kind": s(expected.kind.value),
            ":was_owner": s(expected.id),
        },
    }


def no_longer(face_id: str, expected: FaceOwner) -> Conflict:
    return Conflict(f"face {face_id} is no longer {expected.kind.value.lower()} {expected.id}'s")


class DynamoFaceOwners:
    def __init__(self, client: DynamoDBClient, table_name: str = FACES.default_name) -> None:
        self._client = client
        self._table = table_name

    @property
    def table_name(self) -> str:
        return self._table

    def add(self, owned: OwnedFace) -> None:
        taken = Conflict(f"face {owned.face_id} has an owner already")
        with aws_errors("record whose face this is", condition_failed=taken):
            self._client.put_item(
                TableName=self._table,
                Item=owned_item(owned),
                ConditionExpression="attribute_not_exists(faceId)",
            )

    def get(self, face_id: str) -> OwnedFace | None:
        with aws_errors("read whose face this is"):
            response = self._client.get_item(
                TableName=self._table, Key=face_key(face_id), ConsistentRead=True
            )
        item = response.get("Item")
        return owned_from(item) if item else None

    def give(self, face_id: str, to: FaceOwner, expected: FaceOwner) -> None:
        update = give_update(self._table, face_id, to, expected)
        with aws_errors("give a face to its owner", condition_failed=no_longer(face_id, expected)):
            self._client.update_item(**update)

    def faces_of(self, owner: FaceOwner) -> tuple[str, ...]:
        # The index is keyed by owner id; the kind is filtered (a sighting and a visitor may share an id).
        request: QueryInputTypeDef = {
            "TableName": self._table,
            "IndexName": "byOwner",
            "KeyConditionExpression": "ownerId = :owner",
            "FilterExpression": "ownerKind = :kind",
            "ExpressionAttributeValues": {":owner": s(owner.id), ":kind": s(owner.kind.value)},
        }
        face_ids: list[str] = []
        with aws_errors("list an owner's faces"):
            while True:
                response = self._client.query(**request)
                face_ids.extend(text(item, "faceId") for item in response.get("Items", []))
                last = response.get("LastEvaluatedKey")
                if not last:
                    break
                request["ExclusiveStartKey"] = last
        return tuple(sorted(face_ids))

    def settle_first(self, face_id: str, rivals: Sequence[str]) -> bool:
        others = sorted(set(rivals) - {face_id})  # a transaction may name an item once only
        drops: list[TransactWriteItemTypeDef] = [
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": face_key(rival),
                    "ConditionExpression": "attribute_not_exists(faceId) OR settled = :false",
                    "ExpressionAttributeValues": {":false": {"BOOL": False}},
                }
            }
            for rival in others
        ]
        items: list[TransactWriteItemTypeDef] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": face_key(face_id),
                    "UpdateExpression": "SET settled = :true",
                    "ConditionExpression": "settled = :false",  # false also when the item is gone
                    "ExpressionAttributeValues": {":true": {"BOOL": True}, ":false": {"BOOL": False}},
                }
            },
            *drops,
        ]
        with aws_errors("settle a new face"):
            for _ in range(MAX_ROUNDS):
                try:
                    self._client.transact_write_items(TransactItems=items)
                    return True
                except ClientError as exc:
                    reasons = refusal_codes(exc)
                    if reasons & CONDITION_FAILED:
                        return False  # dropped by a winner, settled already, or a rival settled first
                    if reasons != {"TransactionConflict"}:
                        raise
        raise StorageUnavailable("could not settle a new face: too many contenders at once")

    def delete(self, face_ids: Iterable[str]) -> None:
        # Each alone: a forgotten face has no guarantee to keep with the others.
        with aws_errors("forget whose faces these were"):
            for face_id in sorted(set(face_ids)):
                self._client.delete_item(TableName=self._table, Key=face_key(face_id))
