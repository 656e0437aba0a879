"""AwaitedPhotos on DynamoDB: the photo task is the held email's own outbox item.

Holding the email and remembering what to retry are one item, so every guarantee is one write: ``open`` is
one TransactWriteItems (the sighting's Put and the held email's Put), a claim one conditional UpdateItem,
a fill one TransactWriteItems (the sighting's photos, its face's owner row, the email released), a give-up
one conditional UpdateItem. The held item has no ``unsent`` attribute, so the outbox dispatcher's claim
(``attribute_exists(unsent)``) never sends it early, even when the table's stream wakes it on the Put;
releasing it sets ``unsent`` and the stream wakes the dispatcher again.

The task's own claim (``photoClaimedBy``/``photoClaimedUntil``) is apart from the dispatcher's
(``claimedBy``/``claimedUntil``): the two never run on one item at once, and a released email starts with
no claim of the dispatcher's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartdoor.adapters.aws.dynamo_face_owners import owned_item
from smartdoor.adapters.aws.dynamo_items import (
    Item,
    conditional,
    from_micros,
    n,
    number,
    photo_value,
    s,
    text,
    to_micros,
)
from smartdoor.adapters.aws.dynamo_outbox import message_item
from smartdoor.adapters.aws.dynamo_sightings import add_sighting_with
from smartdoor.adapters.aws.errors import aws_errors
from smartdoor.adapters.aws.tables import ALL, FACES, OUTBOX, SIGHTINGS, created_key
from smartdoor.domain.message_keys import sighting_email_key
from smartdoor.domain.model import BoundingBox, Email, Sighting
from smartdoor.ports import Clock, FilledPhoto, PhotoTask

if TYPE_CHECKING:
    from datetime import datetime

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

_HELD = "photoClaimedBy = :me AND attribute_exists(awaitingPhoto)"


def _due_key(at: datetime, sighting_id: str) -> AttributeValueTypeDef:
    return s(created_key(to_micros(at), sighting_id))


def _bound(now: datetime) -> AttributeValueTypeDef:
    # Every due key of a time up to ``now`` sorts below the next microsecond's digits.
    return s(f"{to_micros(now) + 1:020d}")


def _box(box: BoundingBox) -> AttributeValueTypeDef:
    return {"L": [{"N": repr(v)} for v in (box.left, box.top, box.width, box.height)]}


def _box_from(value: AttributeValueTypeDef) -> BoundingBox:
    left, top, width, height = (float(v["N"]) for v in value["L"])
    return BoundingBox(left, top, width, height)


def _task_from(item: Item) -> PhotoTask:
    return PhotoTask(
        sighting_id=text(item, "sightingId"),
        camera_id=text(item, "cameraId"),
        frame_time=from_micros(number(item, "frameTime")),
        box=_box_from(item["box"]),
        link_token=text(item, "linkToken"),
        attempts=number(item, "photoAttempts"),
    )


class DynamoAwaitedPhotos:
    def __init__(
        self,
        client: DynamoDBClient,
        clock: Clock,
        sightings_table: str = SIGHTINGS.default_name,
        faces_table: str = FACES.default_name,
        outbox_table: str = OUTBOX.default_name,
    ) -> None:
        self._client = client
        self._clock = clock
        self._sightings = sightings_table
        self._faces = faces_table
        self._table = outbox_table

    def _message_key(self, sighting_id: str) -> dict[str, AttributeValueTypeDef]:
        return {"messageId": s(sighting_email_key(sighting_id))}

    def open(self, sighting: Sighting, email: Email, task: PhotoTask, due_at: datetime) -> None:
        assert email.key is not None  # the sighting's one email key: the fill and give-up find it by it
        item = message_item(email.key, email, self._clock.now())
        del item["unsent"]  # held: in no dispatcher's index until the photo is filled or given up on
        item |= {
            "awaitingPhoto": s(ALL),
            "photoDueKey": _due_key(due_at, task.sighting_id),
            "sightingId": s(task.sighting_id),
            "cameraId": s(task.camera_id),
            "frameTime": n(to_micros(task.frame_time)),
            "box": _box(task.box),
            "linkToken": s(task.link_token),
            "photoAttempts": n(task.attempts),
        }
        held: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(messageId)",
            }
        }
        add_sighting_with(self._client, self._sightings, sighting, held, "store the photo-less sighting")

    def due(self, now: datetime, limit: int) -> list[str]:
        with aws_errors("find photos still to fetch"):
            response = self._client.query(
                TableName=self._table,
                IndexName="awaitingPhoto",
                KeyConditionExpression="awaitingPhoto = :all AND photoDueKey < :bound",
                ExpressionAttributeValues={":all": s(ALL), ":bound": _bound(now)},
                ScanIndexForward=True,
                Limit=limit,
            )
        return [text(item, "sightingId") for item in response.get("Items", [])]

    def claim(self, sighting_id: str, runner: str, now: datetime, until: datetime) -> PhotoTask | None:
        response = conditional(
            "claim a photo to fetch",
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._message_key(sighting_id),
                UpdateExpression="SET photoClaimedUntil = :until, photoClaimedBy = :me"
                " ADD photoAttempts :one",
                ConditionExpression="attribute_exists(awaitingPhoto) AND photoDueKey < :bound AND"
                " (attribute_not_exists(photoClaimedUntil) OR photoClaimedUntil <= :now)",
                ExpressionAttributeValues={
                    ":until": n(to_micros(until)),
                    ":me": s(runner),
                    ":one": n(1),
                    ":bound": _bound(now),
                    ":now": n(to_micros(now)),
                },
                ReturnValues="ALL_NEW",
            ),
        )
        return _task_from(response["Attributes"]) if response is not None else None

    def fill(self, sighting_id: str, runner: str, filled: FilledPhoto) -> bool:
        photos = "SET photo = :photo" + (", facePhoto = :face" if filled.face_photo else "")
        values: dict[str, AttributeValueTypeDef] = {":photo": photo_value(filled.photo)}
        if filled.face_photo is not None:
            values[":face"] = photo_value(filled.face_photo)
        if filled.face is not None:
            photos += ", faceId = :faceId"
            values[":faceId"] = s(filled.face.face_id)
        email = message_item("unused", filled.email, filled.photo.created_timestamp)
        items: list[TransactWriteItemTypeDef] = [
            {
                "Update": {
                    "TableName": self._sightings,
                    "Key": {"sightingId": s(sighting_id)},
                    "UpdateExpression": photos,
                    "ConditionExpression": "attribute_exists(sightingId) AND attribute_not_exists(photo)",
                    "ExpressionAttributeValues": values,
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": self._message_key(sighting_id),
                    "UpdateExpression": "SET unsent = :all, subject = :subject, #text = :text, html = :html,"
                    " images = :images REMOVE awaitingPhoto, photoDueKey, photoClaimedUntil",
                    "ConditionExpression": _HELD,
                    "ExpressionAttributeNames": {"#text": "text"},
                    "ExpressionAttributeValues": {
                        ":all": s(ALL),
                        ":subject": email["subject"],
                        ":text": email["text"],
                        ":html": email["html"],
                        ":images": email["images"],
                        ":me": s(runner),
                    },
                }
            },
        ]
        if filled.face is not None:
            items.append(
                {
                    "Put": {
                        "TableName": self._faces,
                        "Item": owned_item(filled.face),
                        "ConditionExpression": "attribute_not_exists(faceId)",
                    }
                }
            )
        done = conditional(
            "store the fetched photo", lambda: self._client.transact_write_items(TransactItems=items), True
        )
        return done is not None

    def postpone(self, sighting_id: str, runner: str, due_at: datetime) -> None:
        conditional(
            "put off fetching a photo",
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._message_key(sighting_id),
                UpdateExpression="SET photoDueKey = :due REMOVE photoClaimedUntil",
                ConditionExpression=_HELD,
                ExpressionAttributeValues={":due": _due_key(due_at, sighting_id), ":me": s(runner)},
            ),
        )

    def give_up(self, sighting_id: str, runner: str) -> bool:
        done = conditional(
            "give up fetching a photo",
            lambda: self._client.update_item(
                TableName=self._table,
                Key=self._message_key(sighting_id),
                UpdateExpression="SET unsent = :all REMOVE awaitingPhoto, photoDueKey, photoClaimedUntil",
                ConditionExpression=_HELD,
                ExpressionAttributeValues={":all": s(ALL), ":me": s(runner)},
            ),
        )
        return done is not None
