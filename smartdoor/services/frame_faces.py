"""The frame path: an uploaded frame → every face in it searched → the streamed-face use case.

The frame is the sighting's own photo: it is stored, with each face cut out of it, as the stream path stores
the frame Kinesis Video gives for a record's time; nothing is fetched by time here. The frame's key names its
camera and its time (domain/frame_keys.py), so the event is the stream path's, with the key as its identity.
"""

from __future__ import annotations

from typing import TypeVar

from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.frame_images import MAX_FRAME_BYTES, check_frame
from smartdoor.domain.frame_keys import FrameKey, parse_frame_key
from smartdoor.domain.model import FaceEvent, Sighting
from smartdoor.services.context import Door, log
from smartdoor.services.event_claims import claim_event, settle_event
from smartdoor.services.streamed_faces import record_streamed_face_event

T = TypeVar("T")


def frame_event_id(key: FrameKey) -> str:
    """The face event's identity: the same on every delivery of the upload's notification."""
    return f"frame:{key}"


def record_uploaded_frame(door: Door, object_key: str) -> list[Sighting]:
    """Read the frame uploaded under ``object_key`` and record it (record_frame).

    BadFaceEvent: not a frame's key, too large (refused unread), no JPEG or PNG, unreadable; NotFound: the
    object is gone; StorageUnavailable: storage or Rekognition failed, worth a retry."""
    key = parse_frame_key(object_key)
    frame = _port(door.uploads, "uploads").read(object_key, MAX_FRAME_BYTES)
    return record_frame(door, frame, key)


def record_frame(door: Door, frame: bytes, key: FrameKey) -> list[Sighting]:
    """Search every face of ``frame`` and hand them to the streamed-face use case, once per frame.

    A claim on the frame, leased as a face event's is, keeps a re-delivered notification from paying for the
    search again (the faces' own claims would stop it from acting twice anyway); a failure gives it back."""
    check_frame(frame)
    search = _port(door.frame_search, "frame_search")
    claim = f"{frame_event_id(key)}/searched"
    if not claim_event(door, claim):
        log.info("%s was searched already (or is being searched): a re-delivery, skipped", key)
        return []
    try:
        faces = search.search_frame(frame, door.policy.match_threshold)
        event = FaceEvent(key.camera_id, key.taken_at, faces, event_id=frame_event_id(key))
        created = record_streamed_face_event(door, event, frame)
    except Exception:
        settle_event(door, claim, done=False)
        raise
    settle_event(door, claim, done=True)
    return created


def _port(port: T | None, name: str) -> T:
    if port is None:
        # A wiring fault, not a bad frame: retried, it fails the same, and the operator sees it every time.
        raise StorageUnavailable(f"this door has no {name}: the frame path is wired by bootstrap.build_aws")
    return port
