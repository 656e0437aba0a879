"""Flow 1, the sighting: a face at the door becomes a greeting, nothing, or a question for the owner."""

from __future__ import annotations

from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.links import LinkGrant, sign_link
from smartdoor.domain.model import (
    DetectedFace,
    DoorEventKind,
    FaceEvent,
    FaceMatch,
    Photo,
    Sighting,
    SightingStatus,
    Visitor,
)
from smartdoor.services.context import Door, log
from smartdoor.services.messages import new_visitor_email
from smartdoor.services.passcodes import send_passcode

VISITOR_PREFIX = "visitor-"
SIGHTING_PREFIX = "sighting-"


def face_event_key(identity: str) -> str:
    """The claim that lets one face of one frame be handled once, whichever path or delivery brings it."""
    return f"face-event:{identity}"


def record_face_event(door: Door, event: FaceEvent, frame: bytes | None = None) -> list[Sighting]:
    """Handle every face of one analysed frame; return the sightings it created (new or returning faces).

    ``frame`` is the JPEG the event came from when the edge has it (the local camera); otherwise the
    FrameSource is asked for the frame at the event's time (Kinesis Video on AWS).
    """
    created: list[Sighting] = []
    frame_bytes = frame
    for face, identity in zip(event.faces, event.face_keys(), strict=True):
        key = face_event_key(identity) if identity is not None else None
        if key is not None and not _claim(door, key):
            log.info("%s was handled already: a re-delivery, skipped", key)
            continue
        try:
            if frame_bytes is None:
                frame_bytes = door.frames.frame_at(event.camera_id, event.frame_time)
            sighting = _handle_face(door, event, face, frame_bytes)
        except Exception:
            if key is not None:
                _settle(door, key, done=False)
            raise
        if key is not None:
            _settle(door, key, done=True)
        if sighting is not None:
            created.append(sighting)
    return created


def _claim(door: Door, key: str) -> bool:
    # A short lease first: if this handler dies mid-way, the claim lapses and the stream's retry runs.
    now = door.clock.now()
    return door.claims.claim(key, now + door.policy.face_event_lease, now)


def _settle(door: Door, key: str, done: bool) -> None:
    """Done: remember the event past every re-delivery. Failed: give the claim back for the retry."""
    try:
        if done:
            door.claims.extend(key, door.clock.now() + door.policy.face_event_memory)
        else:
            door.claims.release(key)
    except StorageUnavailable:
        # Either way the lease still ends on its own; only then could a re-delivery run again.
        log.exception("could not settle the claim on %s", key)


def _handle_face(door: Door, event: FaceEvent, face: DetectedFace, frame: bytes | None) -> Sighting | None:
    match = face.best_match()
    if match is None or match.similarity < door.policy.match_threshold:
        return _new_face(door, event, face, frame)
    visitor = _visitor_for(door, match)
    if visitor is not None:
        return _returning_visitor(door, event, visitor, face, match.face_id, frame)
    earlier = _sighting_for(door, match)
    if earlier is None:
        # Indexed but no longer anyone's (a forgotten visitor's leftover): a stranger again.
        return _new_face(door, event, face, frame)
    denied_at = earlier.decided_at if earlier.status is SightingStatus.DENIED else None
    if denied_at is not None and event.frame_time >= denied_at + door.policy.deny_cooldown:
        return _new_face(door, event, face, frame, reuse_face_id=match.face_id)
    return None  # pending, approved or recently denied: one sighting per visit, not one per frame


def _visitor_for(door: Door, match: FaceMatch) -> Visitor | None:
    label = match.external_image_id or ""
    if label.startswith(VISITOR_PREFIX):
        return door.visitors.get(label.removeprefix(VISITOR_PREFIX))
    if label.startswith(SIGHTING_PREFIX):
        return None
    return door.visitors.get_by_face(match.face_id)


def _sighting_for(door: Door, match: FaceMatch) -> Sighting | None:
    label = match.external_image_id or ""
    if label.startswith(SIGHTING_PREFIX):
        return door.sightings.get(label.removeprefix(SIGHTING_PREFIX))
    return None


def _new_face(
    door: Door, event: FaceEvent, face: DetectedFace, frame: bytes | None, reuse_face_id: str | None = None
) -> Sighting:
    now = door.clock.now()
    sighting_id = door.ids.new_id()
    label = f"{SIGHTING_PREFIX}{sighting_id}"
    photo, face_photo = _snapshot(door, f"sightings/{sighting_id}", face, frame)
    if reuse_face_id is not None:
        door.faces.relabel(reuse_face_id, label)
        face_id = reuse_face_id
    else:
        # Indexed as pending so the next frames of this visit match it and stay quiet.
        face_id = door.faces.index_face(face, frame, label)
    sighting = Sighting(
        id=sighting_id,
        face_id=face_id,
        camera_id=event.camera_id,
        status=SightingStatus.PENDING,
        created_at=event.frame_time,
        photo=photo,
        face_photo=face_photo,
    )
    door.sightings.add(sighting)
    door.record(DoorEventKind.NEW_FACE, sighting_id=sighting_id, camera_id=event.camera_id)
    log.info("new face at %s: sighting %s", event.camera_id, sighting_id)
    door.publisher.publish(sighting)
    token = sign_link(
        LinkGrant(sighting_id, now + door.policy.link_lifetime, door.ids.new_id()), door.secret_key
    )
    _email_owner(door, sighting, token, frame)
    return sighting


def _email_owner(door: Door, sighting: Sighting, token: str, frame: bytes | None) -> None:
    email = new_visitor_email(door.policy.owner_email, sighting, door.policy.public_url, token, frame)
    try:
        door.mailer.send(email)
    except StorageUnavailable:
        # The sighting is stored and on the console already; a mail outage must not lose it.
        log.exception("could not email the owner about sighting %s", sighting.id)


def _snapshot(
    door: Door, key: str, face: DetectedFace, frame: bytes | None
) -> tuple[Photo | None, Photo | None]:
    """Store the frame and the face cut out of it: ``key``.jpg and ``key``-face.jpg."""
    if frame is None:
        return None, None
    now = door.clock.now()
    photo = door.photos.put(f"{key}.jpg", frame, "image/jpeg", now)
    crop = door.cropper.crop(frame, face.bounding_box)
    return photo, door.photos.put(f"{key}-face.jpg", crop, "image/jpeg", now) if crop else None


def _returning_visitor(
    door: Door, event: FaceEvent, visitor: Visitor, face: DetectedFace, face_id: str, frame: bytes | None
) -> Sighting | None:
    now = door.clock.now()
    # One claim per visit: concurrent workers and later frames of the same visit lose it.
    if not door.throttle.acquire(f"visit:{visitor.id}", 1, door.policy.visitor_cooldown, now):
        return None
    sighting_id = door.ids.new_id()
    photo, face_photo = _snapshot(door, f"visitors/{visitor.id}/{sighting_id}", face, frame)
    for taken in (photo, face_photo):  # the visitor's own: forgetting them deletes these too
        if taken is not None:
            door.visitors.add_photo(visitor.id, taken)
    sighting = Sighting(
        id=sighting_id,
        face_id=face_id,
        camera_id=event.camera_id,
        status=SightingStatus.KNOWN,
        created_at=event.frame_time,
        photo=photo,
        visitor_id=visitor.id,
        decided_at=now,
        face_photo=face_photo,
    )
    door.sightings.add(sighting)
    door.record(DoorEventKind.VISITOR_ARRIVED, sighting_id, visitor.id, event.camera_id, visitor.name)
    door.publisher.publish(sighting)
    log.info("visitor %s is back at %s", visitor.id, event.camera_id)
    send_passcode(door, visitor)
    return sighting
