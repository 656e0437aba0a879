"""The DynamoDB tables as data: the one definition that the CDK app, the repositories and the tests all read.

Every table is on-demand. Every access pattern is a GetItem, a Query on a key or an index, or one conditional
write (a TransactWriteItems where a guarantee spans items); none is a Scan. Times in sort keys are
``created_key(micros, id)``: zero-padded epoch microseconds then the id, so string order is time order and
equal times still page in a fixed order. TTL attributes are Numbers in epoch seconds and only clean up:
DynamoDB deletes expired items days late, so every read checks expiry itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeDefinitionTypeDef,
        CreateTableInputTypeDef,
        GlobalSecondaryIndexTypeDef,
        KeySchemaElementTypeDef,
    )

AttributeType = Literal["S", "N", "B"]
StreamView = Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"]


@dataclass(frozen=True)
class Key:
    """A key attribute: its name and DynamoDB type."""

    name: str
    type: AttributeType = "S"


@dataclass(frozen=True)
class Index:
    """A global secondary index (projection ALL: every listing shows whole items)."""

    name: str
    partition: Key
    sort: Key | None
    serves: str  # the access pattern it exists for


@dataclass(frozen=True)
class Table:
    """One table: ``logical`` is how code and the CDK app refer to it, ``default_name`` what it is called."""

    logical: str
    default_name: str
    partition: Key
    sort: Key | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    stream: StreamView | None = None
    access_patterns: tuple[str, ...] = field(default_factory=tuple)

    def key_attributes(self) -> tuple[Key, ...]:
        """Every attribute a key or an index names, once each (what AttributeDefinitions must list)."""
        keys = [self.partition, self.sort, *(k for i in self.indexes for k in (i.partition, i.sort))]
        unique: dict[str, Key] = {}
        for key in keys:
            if key is not None and unique.setdefault(key.name, key) != key:
                raise ValueError(f"{self.logical}: {key.name} is declared with two types")
        return tuple(unique.values())


def created_key(micros: int, item_id: str) -> str:
    """A sort key that orders by time, then id (20 digits: any epoch microsecond up to year 5138)."""
    if micros < 0:
        raise ValueError("created_key takes times after 1970")
    return f"{micros:020d}#{item_id}"


# One constant partition for "all of them, newest first". A door sees a few hundred items a day: far below
# one partition's 1,000 writes a second, and a Query on it needs no Scan.
ALL = "ALL"

PASSCODES = Table(
    logical="passcodes",
    default_name="passcodes",  # DB1 in the design card
    partition=Key("codeHash"),  # HMAC of the code with the server's key: the code itself is never stored
    ttl_attribute="expiresAt",
    access_patterns=(
        "add: PutItem if attribute_not_exists(codeHash) OR expiresAtMicros <= :now (a live code collides;"
        " an expired leftover that the TTL has not removed yet may be overwritten)",
        "consume: DeleteItem if expiresAtMicros > :now, ReturnValues=ALL_OLD (one caller wins: single use)",
        "items: codeHash, visitorId, createdAt (epoch micros), expiresAtMicros (the exact expiry, checked on"
        " every read), expiresAt (epoch seconds, rounded up, for TTL)",
    ),
)

VISITORS = Table(
    logical="visitors",
    default_name="visitors",  # DB2 in the design card
    partition=Key("visitorId"),
    indexes=(
        Index("byCreated", Key("feed"), Key("createdKey"), "list visitors newest first (feed = ALL)"),
        Index("byFace", Key("faceId"), None, "the visitor a face id belongs to (get_by_face)"),
    ),
    access_patterns=(
        "items in the seed's shape: visitorId, faceId, name, phoneNumber, photos [{objectKey, bucket,"
        " createdTimestamp}], plus createdAt, feed, createdKey",
        "add: PutItem if attribute_not_exists(visitorId) (inside registration's TransactWriteItems)",
        "get: GetItem by visitorId; by face: Query byFace, faceId = :face, Limit 1",
        "add_photo: UpdateItem SET photos = list_append(photos, :photo) if attribute_exists(visitorId)",
        "list: Query byCreated, feed = ALL, ScanIndexForward=false, Limit + 1, ExclusiveStartKey from the"
        " token (base64url JSON of the last item's key, its shape checked on the way back in)",
        "delete: DeleteItem ReturnValues=ALL_OLD",
    ),
)

SIGHTINGS = Table(
    logical="sightings",
    default_name="sightings",
    partition=Key("sightingId"),
    indexes=(
        Index("byCreated", Key("feed"), Key("createdKey"), "list all sightings newest first (feed = ALL)"),
        Index("byStatus", Key("status"), Key("createdKey"), "list the sightings of one status newest first"),
    ),
    access_patterns=(
        "items: sightingId, faceId, cameraId, status, createdAt, createdKey, feed, photo, facePhoto,"
        " visitorId, decidedAt",
        "add: PutItem if attribute_not_exists(sightingId)",
        "a new stranger (NewSightings): TransactWriteItems of that Put and the outbox Put of the owner's"
        " email (messageId email:sighting:<id>, attribute_not_exists): both or neither",
        "get: GetItem by sightingId",
        "list(status=None): Query byCreated, feed = ALL, ScanIndexForward=false",
        "list(status): Query byStatus, status = :status, ScanIndexForward=false",
        "transition: UpdateItem SET status, decidedAt, visitorId if #status IN (:allowed...),"
        " ReturnValuesOnConditionCheckFailure=ALL_OLD (no item: NotFound; another status: Conflict)",
    ),
)

FACES = Table(
    logical="faces",
    default_name="faces",
    partition=Key("faceId"),  # the face index's id (a Rekognition FaceId on AWS)
    indexes=(Index("byOwner", Key("ownerId"), Key("faceId"), "the face ids one visitor or sighting owns"),),
    access_patterns=(
        "who a face is: GetItem by faceId -> ownerKind (SIGHTING | VISITOR), ownerId, indexedAt, settled",
        "a new face: PutItem if attribute_not_exists(faceId)",
        "a new stranger's face wins its visit (settle_first): TransactWriteItems of UpdateItem SET settled ="
        " true if settled = false, and per rival seen DeleteItem if attribute_not_exists(faceId) OR"
        " settled = false (a cancelled condition: another face won)",
        "registration: UpdateItem SET ownerKind = VISITOR, ownerId = :visitor, settled = true"
        " if ownerKind = SIGHTING AND ownerId = :sighting (inside the registration transaction)",
        "forget a visitor: Query byOwner, ownerId = :visitor, FilterExpression ownerKind = VISITOR"
        " (eventually consistent, see dynamo_face_owners), then DeleteFaces and DeleteItem each",
    ),
)

LIMITS = Table(
    logical="limits",
    default_name="limits",
    partition=Key("limitKey"),
    ttl_attribute="expiresAt",
    access_patterns=(
        "lock-out, limitKey = attempts#<client>: begin reads the keys (TransactGetItems), refuses while one"
        " is locked, then one TransactWriteItems of a Put per key (tries, lockedUntil, forgetAt, version)"
        " if version = :seen (attribute_not_exists(limitKey) when new); a lost race re-reads. TTL: forgetAt",
        "fixed windows, limitKey = window#<rule>@<window start, epoch micros>: UpdateItem ADD hits :one"
        " if attribute_not_exists(hits) OR hits < :limit; TTL at the window's end",
        "several rules at once (all or nothing): one TransactWriteItems of those updates",
        "once-only claims, limitKey = claim#<kind>#<id> (a link nonce, a visit, a face event): PutItem"
        " if attribute_not_exists(limitKey) OR expiresAtMicros <= :now; TTL at the claim's end",
    ),
)

TIMELINE = Table(
    logical="timeline",
    default_name="timeline",
    partition=Key("feed"),  # the door's id: one door writes one feed
    sort=Key("eventKey"),  # created_key(at, event id)
    access_patterns=(
        "record: PutItem if attribute_not_exists(eventKey)",
        "list: Query feed = :door, ScanIndexForward=false, Limit, ExclusiveStartKey as the token",
    ),
)

OUTBOX = Table(
    logical="outbox",
    default_name="outbox",
    # Derived from the unit of work that wrote it (the message's key: email:sighting:<id>,
    # sms:passcode:<hash prefix>:<created>), so a retried unit writes the same message id and its condition
    # fails: nothing is queued twice.
    partition=Key("messageId"),
    indexes=(
        Index(
            "unsent",
            Key("unsent"),  # ALL while unsent, REMOVEd once sent: a sparse index of what is still due
            Key("createdKey"),
            "what is still to send, oldest first (the next run sends what a crash left behind)",
        ),
        Index(
            "awaitingPhoto",
            Key("awaitingPhoto"),  # ALL while a held email waits for its sighting's photo, then REMOVEd
            Key("photoDueKey"),  # created_key(due, sighting id): when the next fetch of the frame is due
            "held emails whose sighting's photo is still to be fetched, soonest due first",
        ),
    ),
    ttl_attribute="expiresAt",
    stream="NEW_IMAGE",  # a sender Lambda wakes on each new message
    access_patterns=(
        "enqueue: PutItem if attribute_not_exists(messageId) (inside the transaction that made the message)",
        "claim for sending: UpdateItem SET claimedUntil = :now + lease, claimedBy = :me ADD tries if"
        " attribute_exists(unsent) AND (attribute_not_exists(claimedUntil) OR claimedUntil <= :now),"
        " ReturnValues=ALL_NEW: one sender at a time, and a dead sender's claim ends with its lease",
        "mark sent: UpdateItem REMOVE unsent, claimedUntil SET sentAt, sentBy, expiresAt if claimedBy = :me"
        " (TTL keeps sent messages for a while)",
        "failed send: SET claimedUntil = the retry time (the backoff), lastError if claimedBy = :me;"
        " refused for good: REMOVE unsent SET failedAt, lastError",
        "due: Query unsent, unsent = ALL, ScanIndexForward=true",
        "a photo-less stranger (AwaitedPhotos.open): TransactWriteItems of the sightings Put and this Put"
        " WITHOUT unsent (held: no dispatcher sends it) with awaitingPhoto = ALL, photoDueKey and the"
        " task (sightingId, cameraId, frameTime, box, linkToken, photoAttempts)",
        "photo tasks due: Query awaitingPhoto, awaitingPhoto = ALL AND photoDueKey < :now-bound",
        "claim a photo task: UpdateItem SET photoClaimedUntil, photoClaimedBy ADD photoAttempts if"
        " attribute_exists(awaitingPhoto) AND photoDueKey < :bound AND (attribute_not_exists("
        "photoClaimedUntil) OR photoClaimedUntil <= :now), ReturnValues=ALL_NEW",
        "fill: TransactWriteItems of the sightings UpdateItem SET photo, facePhoto[, faceId] if"
        " attribute_exists(sightingId) AND attribute_not_exists(photo), [the faces Put of its face], and"
        " this item's UpdateItem SET unsent, subject, text, html, images REMOVE awaitingPhoto if"
        " photoClaimedBy = :me AND attribute_exists(awaitingPhoto)",
        "postpone / give up: UpdateItem (SET photoDueKey REMOVE photoClaimedUntil / SET unsent REMOVE"
        " awaitingPhoto) if photoClaimedBy = :me AND attribute_exists(awaitingPhoto)",
    ),
)

TABLES: tuple[Table, ...] = (PASSCODES, VISITORS, SIGHTINGS, FACES, LIMITS, TIMELINE, OUTBOX)


def _schema(partition: Key, sort: Key | None) -> list[KeySchemaElementTypeDef]:
    schema: list[KeySchemaElementTypeDef] = [{"AttributeName": partition.name, "KeyType": "HASH"}]
    if sort is not None:
        schema.append({"AttributeName": sort.name, "KeyType": "RANGE"})
    return schema


def create_table_input(table: Table, name: str | None = None) -> CreateTableInputTypeDef:
    """CreateTable's arguments for this definition, under ``name`` (default: the table's default name)."""
    attributes: list[AttributeDefinitionTypeDef] = [
        {"AttributeName": k.name, "AttributeType": k.type} for k in table.key_attributes()
    ]
    request: CreateTableInputTypeDef = {
        "TableName": name or table.default_name,
        "KeySchema": _schema(table.partition, table.sort),
        "AttributeDefinitions": attributes,
        "BillingMode": "PAY_PER_REQUEST",
    }
    if table.indexes:
        indexes: list[GlobalSecondaryIndexTypeDef] = [
            {
                "IndexName": index.name,
                "KeySchema": _schema(index.partition, index.sort),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in table.indexes
        ]
        request["GlobalSecondaryIndexes"] = indexes
    if table.stream is not None:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table.stream}
    return request


def create_table(client: DynamoDBClient, table: Table, name: str | None = None) -> str:
    """Create the table (for tests and the offline cloud build), wait until it is active, turn its TTL on.
    Returns the table's name."""
    request = create_table_input(table, name)
    table_name = request["TableName"]
    client.create_table(**request)
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    if table.ttl_attribute is not None:
        client.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
        )
    return table_name
