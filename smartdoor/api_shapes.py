"""The schema's JSON shapes of the domain's objects, for an edge that answers in plain JSON (the AppSync
resolvers), and the AWSDateTime text both edges read and write. Nested fields are filled here, in the parent
(a sighting's photos with their links), so one GraphQL request is one Lambda invocation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from smartdoor import ports
from smartdoor.domain import model
from smartdoor.domain.errors import InvalidInput
from smartdoor.domain.visitor_details import dialled_as

Shape = dict[str, Any]


def format_datetime(value: datetime) -> str:
    # AppSync's AWSDateTime: ISO 8601 with Z, millisecond precision.
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_datetime(value: object) -> datetime:
    """Raise ValueError saying what an AWSDateTime must be."""
    if not isinstance(value, str):
        raise ValueError("AWSDateTime must be an ISO 8601 string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("AWSDateTime needs a time zone, e.g. 2026-11-23T12:00:00Z")
    return parsed.astimezone(UTC)


def _when(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


def photo_shape(photos: ports.PhotoStore, photo: model.Photo | None) -> Shape | None:
    if photo is None:
        return None
    return {
        "objectKey": photo.object_key,
        "bucket": photo.bucket,
        "createdTimestamp": format_datetime(photo.created_timestamp),
        "url": photos.url(photo),
    }


def sighting_shape(photos: ports.PhotoStore, s: model.Sighting) -> Shape:
    return {
        "id": s.id,
        "faceId": s.face_id,
        "cameraId": s.camera_id,
        "status": s.status.value,
        "createdAt": format_datetime(s.created_at),
        "photo": photo_shape(photos, s.photo),
        "visitorId": s.visitor_id,
        "decidedAt": _when(s.decided_at),
        "facePhoto": photo_shape(photos, s.face_photo),
    }


def visitor_shape(photos: ports.PhotoStore, v: model.Visitor) -> Shape:
    return {
        "id": v.id,
        "faceId": v.face_id,
        "name": v.name,
        "phoneNumber": v.phone_number,
        "phoneNumberInternational": dialled_as(v.phone_number),
        "photos": [photo_shape(photos, p) for p in v.photos],
        "createdAt": format_datetime(v.created_at),
    }


def event_shape(e: model.DoorEvent) -> Shape:
    return {
        "id": e.id,
        "kind": e.kind.value,
        "at": format_datetime(e.at),
        "sightingId": e.sighting_id,
        "visitorId": e.visitor_id,
        "cameraId": e.camera_id,
        "visitorName": e.visitor_name,
    }


def _required_text(data: Shape, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidInput(name, f"{name} is required.")
    return value


def _time_in(data: Shape, name: str) -> datetime:
    try:
        return parse_datetime(data.get(name))
    except ValueError as exc:
        raise InvalidInput(name, f"{name} must be an AWSDateTime, e.g. 2026-11-23T12:00:00Z.") from exc


def _photo_in(data: object) -> model.Photo | None:
    if not isinstance(data, dict):
        return None
    return model.Photo(
        _required_text(data, "objectKey"),
        _required_text(data, "bucket"),
        _time_in(data, "createdTimestamp"),
    )


def sighting_in(data: Shape) -> model.Sighting:
    """A PublishSightingInput as the domain's Sighting (the schema already checked the types)."""
    try:
        status = model.SightingStatus(str(data.get("status")))
    except ValueError as exc:
        raise InvalidInput("status", "status must be one of the SightingStatus values.") from exc
    visitor_id = data.get("visitorId")
    return model.Sighting(
        id=_required_text(data, "id"),
        face_id=_required_text(data, "faceId"),
        camera_id=_required_text(data, "cameraId"),
        status=status,
        created_at=_time_in(data, "createdAt"),
        photo=_photo_in(data.get("photo")),
        visitor_id=visitor_id if isinstance(visitor_id, str) else None,
        decided_at=_time_in(data, "decidedAt") if data.get("decidedAt") is not None else None,
        face_photo=_photo_in(data.get("facePhoto")),
    )
