"""The face id of a sighting made before its frame was had: no face index gives such an id, so nothing can
match it, and a registration can tell that there is no face to give the visitor."""

from __future__ import annotations

_PREFIX = "awaiting:"


def awaiting_face_id(sighting_id: str) -> str:
    return f"{_PREFIX}{sighting_id}"


def is_awaiting_face(face_id: str) -> bool:
    return face_id.startswith(_PREFIX)


def photo_less_camera_key(camera_id: str) -> str:
    """The claim a camera's photo-less stranger holds, so the visit's other photo-less frames (which can
    match nothing) make no second sighting; given back once the photo, and with it the face, is in."""
    return f"photo-less:{camera_id}"
