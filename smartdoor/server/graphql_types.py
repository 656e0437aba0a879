"""The GraphQL types of schema.graphql, code-first for strawberry (a test keeps the two equal)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from smartdoor.api_shapes import format_datetime, parse_datetime
from smartdoor.domain import model

AWSDateTime = NewType("AWSDateTime", datetime)
AWSPhone = NewType("AWSPhone", str)
AWSURL = NewType("AWSURL", str)
AWSJSON = NewType("AWSJSON", str)  # the JSON text itself, as AppSync sends an AWSJSON value

# AppSync's scalars, declared for strawberry (StrawberryConfig.scalar_map keeps mypy happy).
# The core validates phone numbers (clean_phone_number) so the error can say how to fix one.
AWS_SCALARS: dict[object, ScalarDefinition] = {
    AWSDateTime: strawberry.scalar(name="AWSDateTime", serialize=format_datetime, parse_value=parse_datetime),
    AWSPhone: strawberry.scalar(name="AWSPhone", serialize=str, parse_value=str),
    AWSURL: strawberry.scalar(name="AWSURL", serialize=str, parse_value=str),
    AWSJSON: strawberry.scalar(name="AWSJSON", serialize=str, parse_value=str),
}


@strawberry.enum
class AccessDecision(enum.Enum):
    APPROVE = "APPROVE"
    DENY = "DENY"


@strawberry.enum
class SightingStatus(enum.Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    REGISTERED = "REGISTERED"
    KNOWN = "KNOWN"


@strawberry.enum
class DoorEventKind(enum.Enum):
    NEW_FACE = "NEW_FACE"
    VISITOR_ARRIVED = "VISITOR_ARRIVED"
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    REGISTERED = "REGISTERED"
    CODE_SENT = "CODE_SENT"
    CODE_HELD_BACK = "CODE_HELD_BACK"
    DOOR_OPENED = "DOOR_OPENED"
    ACCESS_DENIED = "ACCESS_DENIED"
    LOCKED_OUT = "LOCKED_OUT"
    VISITOR_FORGOTTEN = "VISITOR_FORGOTTEN"
    SEEN_LATE = "SEEN_LATE"


@strawberry.type
class DoorEvent:
    id: strawberry.ID
    kind: DoorEventKind
    at: AWSDateTime
    sighting_id: strawberry.ID | None
    visitor_id: strawberry.ID | None
    camera_id: str | None
    visitor_name: str | None


@strawberry.type
class DoorEventConnection:
    items: list[DoorEvent]
    next_token: str | None


@strawberry.type
class Photo:
    object_key: str
    bucket: str
    created_timestamp: AWSDateTime
    url: AWSURL | None


@strawberry.type
class Visitor:
    id: strawberry.ID
    face_id: strawberry.ID
    name: str
    phone_number: AWSPhone
    phone_number_international: str  # for people to read back; phone_number is what is texted
    photos: list[Photo]
    created_at: AWSDateTime


@strawberry.type
class Sighting:
    id: strawberry.ID
    face_id: strawberry.ID
    camera_id: str
    status: SightingStatus
    created_at: AWSDateTime
    photo: Photo | None
    visitor_id: strawberry.ID | None
    decided_at: AWSDateTime | None
    face_photo: Photo | None


@strawberry.type
class SightingConnection:
    items: list[Sighting]
    next_token: str | None


@strawberry.type
class VisitorConnection:
    items: list[Visitor]
    next_token: str | None


@strawberry.type
class ValidateOtpResult:
    granted: bool
    message: str
    visitor_name: str | None


@strawberry.type
class Registration:
    visitor: Visitor
    passcode_sent: bool


@strawberry.type(
    description="A one-frame upload grant: POST a multipart form to url with every field of fields, then the"
    " JPEG as `file`."
)
class FrameUpload:
    url: AWSURL
    fields: AWSJSON = strawberry.field(
        description="Form fields to send as they are: a JSON object of strings."
    )
    key: str = strawberry.field(
        description="The frame's object key (frames/<camera>/<taken-at ms>-<id>.jpg)."
    )
    expires_at: AWSDateTime
    max_bytes: int


@strawberry.input
class RegisterVisitorInput:
    sighting_id: strawberry.ID
    name: str
    phone_number: AWSPhone
    token: str | None = strawberry.UNSET


@strawberry.input
class PhotoInput:
    object_key: str
    bucket: str
    created_timestamp: AWSDateTime
    url: AWSURL | None = strawberry.UNSET


@strawberry.input
class PublishSightingInput:
    id: strawberry.ID
    face_id: strawberry.ID
    camera_id: str
    status: SightingStatus
    created_at: AWSDateTime
    photo: PhotoInput | None = strawberry.UNSET
    visitor_id: strawberry.ID | None = strawberry.UNSET
    decided_at: AWSDateTime | None = strawberry.UNSET
    face_photo: PhotoInput | None = strawberry.UNSET


def photo_out(photo: model.Photo | None, url: str | None) -> Photo | None:
    if photo is None:
        return None
    return Photo(
        object_key=photo.object_key,
        bucket=photo.bucket,
        created_timestamp=AWSDateTime(photo.created_timestamp),
        url=AWSURL(url) if url else None,
    )
