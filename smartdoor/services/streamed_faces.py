"""A face event from a stream (Rekognition's Kinesis records, or the frame path's searched uploads): acted on
while fresh, only noted when late.

Records reach the stream handler tens of seconds after the frame, and a retried batch minutes or days after
it; a passcode SMS or an owner's email for a visit that ended long ago is worse than none.
"""

from __future__ import annotations

from smartdoor.domain.model import DoorEventKind, FaceEvent, Sighting
from smartdoor.services.context import Door, log
from smartdoor.services.sightings import face_event_key, record_face_event


def record_streamed_face_event(door: Door, event: FaceEvent, frame: bytes | None = None) -> list[Sighting]:
    """Handle a fresh event as any other (record_face_event); put a late one's faces in the timeline only.

    ``frame``: the picture the event was made of, when the edge has it (the frame path's upload); without
    it the FrameSource is asked for the frame at the event's time (Kinesis Video)."""
    age = door.clock.now() - event.frame_time
    if age <= door.policy.face_event_max_age:
        return record_face_event(door, event, frame)
    for identity in event.face_keys():
        # The same claim as a fresh face's, kept as long: a re-delivered late record adds no second line.
        if identity is not None and not _claim(door, face_event_key(identity)):
            continue
        door.record(DoorEventKind.SEEN_LATE, camera_id=event.camera_id)
    log.info(
        "a face event from %s came %.0f s after its frame: noted, not acted on",
        event.camera_id,
        age.total_seconds(),
    )
    return []


def _claim(door: Door, key: str) -> bool:
    now = door.clock.now()
    return door.claims.claim(key, now + door.policy.face_event_memory, now)


def first_report_of_bad_record(door: Door, stream: str, sequence: str) -> bool:
    """True the first time a record that can never be decoded is met; False on every re-delivery of it.

    One claim per record (stream + sequence number, unique within a stream), kept as long as face events
    are, so the record is reported and logged once however often the batch around it comes back.
    """
    return _claim(door, f"bad-record:{stream}/{sequence}")
