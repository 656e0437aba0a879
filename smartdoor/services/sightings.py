"""Flow 1, the sighting: a face at the door becomes a greeting, nothing, or a question for the owner."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from smartdoor.domain.awaited_faces import awaiting_face_id, photo_less_camera_key
from smartdoor.domain.errors import Conflict, StorageUnavailable, UnreadableFrame
from smartdoor.domain.links import LinkGrant, sign_link
from smartdoor.domain.message_keys import sighting_email_key
from smartdoor.domain.model import (
    BoundingBox,
    DetectedFace,
    DoorEventKind,
    FaceEvent,
    FaceOwner,
    OwnedFace,
    OwnerKind,
    Photo,
    Sighting,
    SightingStatus,
    Visitor,
)
from smartdoor.ports import AwaitedPhotos, PhotoTask
from smartdoor.services.context import Door, log
from smartdoor.services.event_claims import claim_event, settle_event
from smartdoor.services.messages import new_visitor_email
from smartdoor.services.passcodes import send_passcode

WHOLE_FRAME = BoundingBox(0.0, 0.0, 1.0, 1.0)


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
        if key is not None and not claim_event(door, key):
            log.info("%s was handled already: a re-delivery, skipped", key)
            continue
        try:
            if frame_bytes is None:
                frame_bytes = _frame_at(door, event)
            sighting = _handle_face(door, event, face, frame_bytes)
        except Exception:
            if key is not None:
                settle_event(door, key, done=False)
            raise
        if key is not None:
            settle_event(door, key, done=True)
        if sighting is not None:
            created.append(sighting)
    return created


def _frame_at(door: Door, event: FaceEvent) -> bytes | None:
    """The event's frame from the FrameSource. Where a frame can come later (``awaited_photos``), a frame
    source that fails now (throttled) is a frame not had yet: the sighting is made without it and a retry
    fetches it, rather than the event failing and holding its stream shard."""
    if door.awaited_photos is None:
        return door.frames.frame_at(event.camera_id, event.frame_time)
    try:
        frame = door.frames.frame_at(event.camera_id, event.frame_time)
    except StorageUnavailable:
        log.warning(
            "the frame of %s at %s could not be fetched now: to retry", event.camera_id, event.frame_time
        )
        return None
    if frame is not None and not readable(door, frame):
        # Indexing would fail on it every time the record came back, holding the shard: the sighting is
        # made without it, and its retry gives up at once if the bytes are still no image.
        log.warning(
            "the frame of %s at %s is no image (%d bytes): the sighting is made without it",
            event.camera_id,
            event.frame_time,
            len(frame),
        )
        return None
    return frame


def readable(door: Door, frame: bytes) -> bool:
    """Whether the frame is a picture at all: the cropper cuts the whole of it, or reads nothing there."""
    return door.cropper.crop(frame, WHOLE_FRAME) is not None


def _handle_face(door: Door, event: FaceEvent, face: DetectedFace, frame: bytes | None) -> Sighting | None:
    match = face.best_match()
    if match is None or match.similarity < door.policy.match_threshold:
        return _new_face(door, event, face, frame)
    owned = door.owners.get(match.face_id)  # who the face is: our record, never the label a match echoes
    if owned is not None and owned.owner.kind is OwnerKind.VISITOR:
        visitor = door.visitors.get(owned.owner.id)
        if visitor is not None:
            return _returning_visitor(door, event, visitor, face, match.face_id, frame)
    earlier = door.sightings.get(owned.owner.id) if owned and owned.owner.kind is OwnerKind.SIGHTING else None
    if owned is None or earlier is None:
        # No one's (a forgotten visitor's leftover), or a new face whose sighting is still being made: a
        # stranger again, and the contest between new faces (_first_of_visit) keeps it one sighting.
        return _new_face(door, event, face, frame)
    denied_at = earlier.decided_at if earlier.status is SightingStatus.DENIED else None
    if denied_at is not None and event.frame_time >= denied_at + door.policy.deny_cooldown:
        return _new_face(door, event, face, frame, denied=(match.face_id, earlier.id))
    return None  # pending, approved or recently denied: one sighting per visit, not one per frame


def _new_face(
    door: Door,
    event: FaceEvent,
    face: DetectedFace,
    frame: bytes | None,
    denied: tuple[str, str] | None = None,
) -> Sighting | None:
    """A stranger's sighting; ``denied`` (face id, sighting id): a denied face back after the cooldown,
    given to the new sighting only from the denied one, so of two frames at once one makes it."""
    now = door.clock.now()
    sighting_id = door.ids.new_id()
    owner = FaceOwner.sighting(sighting_id)
    if denied is not None:
        face_id, denied_id = denied
        try:
            door.owners.give(face_id, owner, FaceOwner.sighting(denied_id))
        except Conflict:
            return None  # another frame of this visit took the face first
    elif frame is None and door.awaited_photos is not None:
        return _photo_less_face(door, event, face, door.awaited_photos)
    else:
        # Indexed as pending so the next frames of this visit match it and stay quiet.
        try:
            face_id = door.faces.index_face(face, frame)
        except UnreadableFrame:
            if door.awaited_photos is None:
                raise
            # Failing the event would fail every re-delivery of it alike: photo-less, as if not fetched.
            log.warning("the frame of %s is no image the face index reads: without it", event.camera_id)
            return _photo_less_face(door, event, face, door.awaited_photos)
        door.owners.add(OwnedFace(face_id, owner, now, settled=False))
        if not _first_of_visit(door, face_id, now):
            door.faces.delete([face_id])
            door.owners.delete([face_id])
            log.info("new face at %s is another frame of a stranger seen just now", event.camera_id)
            return None
    photos: tuple[Photo | None, Photo | None] = (None, None)
    tried: Sighting | None = None
    try:
        photos = _snapshot(door, f"sightings/{sighting_id}", face, frame)
        sighting = Sighting(
            id=sighting_id,
            face_id=face_id,
            camera_id=event.camera_id,
            status=SightingStatus.PENDING,
            created_at=event.frame_time,
            photo=photos[0],
            face_photo=photos[1],
        )
        token = sign_link(
            LinkGrant(sighting_id, now + door.policy.link_lifetime, door.ids.new_id()), door.secret_key
        )
        email = new_visitor_email(door.policy.owner_email, sighting, door.policy.public_url, token, frame)
        tried = sighting
        # One unit: the owner is told exactly when the sighting exists, whatever fails in between.
        door.new_sightings.open(sighting, replace(email, key=sighting_email_key(sighting_id)))
    except Exception:
        stored = _stored_anyway(door, tried)
        if stored is not True:
            if stored is False:
                _undo_face(door, face_id, owner, denied, photos)
            raise
        log.warning("storing sighting %s reported a failure, but it was stored", sighting_id)
    door.record(DoorEventKind.NEW_FACE, sighting_id=sighting_id, camera_id=event.camera_id)
    log.info("new face at %s: sighting %s", event.camera_id, sighting_id)
    door.publisher.publish(sighting)  # after commit: not a guarantee, the console refetches
    return sighting


def _photo_less_face(
    door: Door, event: FaceEvent, face: DetectedFace, awaited: AwaitedPhotos
) -> Sighting | None:
    """A stranger whose frame Kinesis Video has no media for yet: the sighting now, without a photo and
    without an indexed face (indexing needs the frame), and the owner's email held until a retry fills
    the photo (services/awaited_photos.py) or gives up.

    With no indexed face, later frames of this visit cannot match it: so one photo-less stranger per
    camera at a time (one claim, until the photo is filled or the visit window ends), and the other
    photo-less faces meanwhile are taken as more frames of that one."""
    now = door.clock.now()
    camera_key = photo_less_camera_key(event.camera_id)
    # As long as one visit's frames count as one stranger: the retries end well within it, whatever the
    # retry Lambda's schedule, and a filled photo gives the claim back.
    if not door.claims.claim(camera_key, now + door.policy.new_face_window, now):
        log.info("a photo-less face at %s: another frame of the stranger awaiting a photo", event.camera_id)
        return None
    sighting_id = door.ids.new_id()
    sighting = Sighting(
        id=sighting_id,
        face_id=awaiting_face_id(sighting_id),
        camera_id=event.camera_id,
        status=SightingStatus.PENDING,
        created_at=event.frame_time,
    )
    token = sign_link(
        LinkGrant(sighting_id, now + door.policy.link_lifetime, door.ids.new_id()), door.secret_key
    )
    email = new_visitor_email(door.policy.owner_email, sighting, door.policy.public_url, token, None)
    task = PhotoTask(sighting_id, event.camera_id, event.frame_time, face.bounding_box, token, attempts=1)
    try:
        awaited.open(
            sighting,
            replace(email, key=sighting_email_key(sighting_id)),
            task,
            now + door.policy.photo_retry_interval,
        )
    except Exception:
        stored = _stored_anyway(door, sighting)
        if stored is not True:
            if stored is False:
                _release(door, camera_key)  # so the stream's retry of this record can make it
            raise  # unknown: the camera claim stays, so a retry cannot make a second one
        log.warning("storing sighting %s reported a failure, but it was stored", sighting_id)
    door.record(DoorEventKind.NEW_FACE, sighting_id=sighting_id, camera_id=event.camera_id)
    log.info("new face at %s: sighting %s, its photo to be fetched", event.camera_id, sighting_id)
    door.publisher.publish(sighting)
    return sighting


def _release(door: Door, key: str) -> None:
    try:
        door.claims.release(key)
    except StorageUnavailable:
        log.exception("could not release the claim on %s", key)


def _stored_anyway(door: Door, tried: Sighting | None) -> bool | None:
    """Whether a unit that raised committed all the same (a timeout after DynamoDB took the write); None
    when that cannot be told (this read fails too). A stored sighting must keep its face: taken back, the
    next frame would make a second sighting and email. So only a sighting known not to be stored is undone;
    an unknown one keeps its face and the error goes on (the face-event lease bounds what it silences)."""
    if tried is None:
        return False  # it failed before the unit was tried
    try:
        stored = door.sightings.get(tried.id)
    except StorageUnavailable:
        return None
    return stored is not None and stored.face_id == tried.face_id  # ids are fresh: this one's, not another's


def _undo_face(
    door: Door,
    face_id: str,
    owner: FaceOwner,
    denied: tuple[str, str] | None,
    photos: tuple[Photo | None, Photo | None],
) -> None:
    """The unit failed: take back this attempt's face, so a retry of the event (its claim is released)
    contends as if this one never ran, instead of yielding to a settled face whose sighting never came.
    Best effort: if this fails too, that face stops counting when the face-event lease ends."""
    try:
        if denied is not None:
            door.owners.give(face_id, FaceOwner.sighting(denied[1]), owner)
        else:
            door.owners.delete([face_id])  # first: a face without an owner is no rival
            door.faces.delete([face_id])
        for photo in filter(None, photos):
            door.photos.delete(photo)
    except Exception:
        log.exception("could not take back face %s after its sighting failed", face_id)


def _first_of_visit(door: Door, face_id: str, now: datetime) -> bool:
    """Whether this just-indexed stranger's face makes the sighting, or another frame's face of the same
    person does (two cameras, two stream shards: both frames missed the search and both indexed).

    Why exactly one of N contenders wins, with no lock and whatever the interleaving: each contender writes
    its face and its (unsettled) ownership row before it searches, so of any two contenders at least the
    later searcher sees the other. A contender yields at once if it sees an older rival; otherwise it asks
    ``settle_first``, one transaction that settles its own row and drops the unsettled rows of the rivals
    it saw, and fails if one of those is settled or its own row was dropped. At most one wins: of two
    winners one saw the other, so its transaction would have found that one settled, or have dropped it
    first. At least one wins: the oldest contender sees no older rival, so it asks, and its transaction
    fails only when another has won. A contender that died before it settled, or before it stored its
    sighting, stops counting after the face-event lease, so it cannot silence the stranger for the rest
    of the window.
    """
    rivals: list[OwnedFace] = []
    for match in door.faces.similar_faces(face_id, door.policy.match_threshold):
        owned = door.owners.get(match.face_id)
        if owned is None or owned.owner.kind is not OwnerKind.SIGHTING:
            continue
        if owned.indexed_at < now - door.policy.new_face_window:
            continue  # an earlier visit's face: this frame is a new visit
        if owned.indexed_at < now - door.policy.face_event_lease and (
            not owned.settled or door.sightings.get(owned.owner.id) is None
        ):
            continue  # a contender that died before it settled, or before it stored its sighting
        rivals.append(owned)
    mine = (now, face_id)
    if any((r.indexed_at, r.face_id) < mine for r in rivals):
        return False
    return door.owners.settle_first(face_id, [r.face_id for r in rivals])


def _snapshot(
    door: Door, key: str, face: DetectedFace, frame: bytes | None
) -> tuple[Photo | None, Photo | None]:
    return snapshot(door, key, face.bounding_box, frame)


def snapshot(
    door: Door, key: str, box: BoundingBox, frame: bytes | None
) -> tuple[Photo | None, Photo | None]:
    """Store the frame and the face cut out of it: ``key``.jpg and ``key``-face.jpg."""
    if frame is None:
        return None, None
    now = door.clock.now()
    photo = door.photos.put(f"{key}.jpg", frame, "image/jpeg", now)
    crop = door.cropper.crop(frame, box)
    return photo, door.photos.put(f"{key}-face.jpg", crop, "image/jpeg", now) if crop else None


def _returning_visitor(
    door: Door, event: FaceEvent, visitor: Visitor, face: DetectedFace, face_id: str, frame: bytes | None
) -> Sighting | None:
    now = door.clock.now()
    # One claim per visit: concurrent workers and later frames of the same visit lose it.
    if not door.claims.claim(f"visit:{visitor.id}", now + door.policy.visitor_cooldown, now):
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
