"""The owner's console: sightings, visitors, the timeline, and forgetting a visitor (Cognito, owner group).

Photos and their links are filled in here, in the parent, so a page of sightings is one invocation."""

from __future__ import annotations

from resolvers.calls import door, new_router, optional_int, optional_text, the_caller
from smartdoor.api_shapes import Shape, event_shape, sighting_shape, visitor_shape
from smartdoor.domain.errors import InvalidInput
from smartdoor.domain.model import SightingStatus
from smartdoor.services import console, frame_uploads
from smartdoor.services.authorization import acting_as

router = new_router()


def _status(value: object) -> SightingStatus | None:
    if value is None:
        return None
    try:
        return SightingStatus(str(value))
    except ValueError as exc:
        raise InvalidInput("status", "status must be one of the SightingStatus values.") from exc


@router.resolver(type_name="Query", field_name="sightings")
def sightings(status: object = None, limit: object = None, nextToken: object = None) -> Shape:
    d = door()
    page = console.list_sightings(
        d,
        the_caller(router).actor,
        _status(status),
        optional_int("limit", limit),
        optional_text("nextToken", nextToken),
    )
    return {"items": [sighting_shape(d.photos, s) for s in page.items], "nextToken": page.next_token}


@router.resolver(type_name="Query", field_name="sighting")
def sighting(id: str, token: object = None) -> Shape | None:
    d = door()
    actor = acting_as(the_caller(router).actor, optional_text("token", token))
    found = console.get_sighting(d, actor, id)
    return sighting_shape(d.photos, found) if found else None


@router.resolver(type_name="Query", field_name="visitors")
def visitors(limit: object = None, nextToken: object = None) -> Shape:
    d = door()
    page = console.list_visitors(
        d, the_caller(router).actor, optional_int("limit", limit), optional_text("nextToken", nextToken)
    )
    return {"items": [visitor_shape(d.photos, v) for v in page.items], "nextToken": page.next_token}


@router.resolver(type_name="Query", field_name="visitor")
def visitor(id: str) -> Shape | None:
    d = door()
    found = console.get_visitor(d, the_caller(router).actor, id)
    return visitor_shape(d.photos, found) if found else None


@router.resolver(type_name="Query", field_name="doorEvents")
def door_events(limit: object = None, nextToken: object = None) -> Shape:
    page = console.list_events(
        door(), the_caller(router).actor, optional_int("limit", limit), optional_text("nextToken", nextToken)
    )
    return {"items": [event_shape(e) for e in page.items], "nextToken": page.next_token}


@router.resolver(type_name="Mutation", field_name="forgetVisitor")
def forget_visitor(id: str) -> str:
    return console.forget_visitor(door(), the_caller(router).actor, id).id


@router.resolver(type_name="Mutation", field_name="issueDeviceToken")
def issue_device_token(cameraId: str) -> str:
    return frame_uploads.issue_device_token(door(), the_caller(router).actor, cameraId)
