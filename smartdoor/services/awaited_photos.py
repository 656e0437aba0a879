"""The photo of a sighting made before its frame was in Kinesis Video, fetched by a retry.

Each due task is claimed (one runner at a time; a dead runner's claim lapses with its lease, so the task is
not lost), its frame fetched at the event's own time, and then one of:

- the frame is there: the face is indexed from it, the photos stored under the sighting's keys, and one
  transaction gives the sighting its photos and face and releases the owner's held email, now with the
  photo. A runner that lost its claim meanwhile writes nothing (and takes its indexed face back), so two
  retries never make two photos or two emails: the email keeps its one outbox key;
- no frame yet (no media, or Kinesis Video throttled): the task is due again after the interval;
- a frame that is no image (the cropper reads no picture in it, or Rekognition calls it InvalidImageFormat):
  given up at once, as below, since the same bytes come back on every later fetch;
- that was the last attempt: the held email is released as it is, saying no photo was captured, and the
  sighting stays photo-less (the console and the approval page show no photo).
"""

from __future__ import annotations

import enum
from dataclasses import replace

from smartdoor.domain.awaited_faces import photo_less_camera_key
from smartdoor.domain.errors import FaceNotIndexed, StorageUnavailable, UnreadableFrame
from smartdoor.domain.message_keys import sighting_email_key
from smartdoor.domain.model import DetectedFace, FaceOwner, OwnedFace, Photo
from smartdoor.ports import AwaitedPhotos, FilledPhoto, PhotoTask
from smartdoor.services.context import Door, log
from smartdoor.services.messages import new_visitor_email
from smartdoor.services.sightings import readable, snapshot

BATCH = 25


class Retry(enum.Enum):
    BUSY = "busy"  # another runner holds it, it is not due, or it is done
    LATER = "later"  # no frame yet: due again after the interval
    FILLED = "filled"
    GAVE_UP = "gave up"
    FAILED = "failed"  # storage or the face index failed: taken again once the claim's lease ends


def retry_awaited_photos(door: Door, runner: str) -> list[Retry]:
    """Try every due task once; ``runner`` names this run (a Lambda request id) in the claims it takes."""
    awaited = door.awaited_photos
    if awaited is None:
        return []
    outcomes = []
    for sighting_id in awaited.due(door.clock.now(), BATCH):
        try:
            outcomes.append(retry_photo(door, awaited, sighting_id, runner))
        except StorageUnavailable:
            # Its claim lapses with the lease and a later run takes it again; the others go on now.
            log.exception("the photo retry of sighting %s failed", sighting_id)
            outcomes.append(Retry.FAILED)
    return outcomes


def retry_photo(door: Door, awaited: AwaitedPhotos, sighting_id: str, runner: str) -> Retry:
    now = door.clock.now()
    task = awaited.claim(sighting_id, runner, now, now + door.policy.photo_retry_lease)
    if task is None:
        return Retry.BUSY
    try:
        frame = door.frames.frame_at(task.camera_id, task.frame_time)
    except StorageUnavailable:
        log.warning("the frame of sighting %s could not be fetched (try %d)", sighting_id, task.attempts)
        frame = None
    if frame is not None and not readable(door, frame):
        return _give_up_on(awaited, task, runner, f"the frame is no image ({len(frame)} bytes)")
    if frame is None:
        if task.attempts >= door.policy.photo_attempts:
            if awaited.give_up(sighting_id, runner):
                log.warning(
                    "no frame for sighting %s after %d tries: the owner is emailed without a photo",
                    sighting_id,
                    task.attempts,
                )
                return Retry.GAVE_UP
            return Retry.BUSY
        awaited.postpone(sighting_id, runner, door.clock.now() + door.policy.photo_retry_interval)
        return Retry.LATER
    return _fill(door, awaited, task, frame, runner)


def _fill(door: Door, awaited: AwaitedPhotos, task: PhotoTask, frame: bytes, runner: str) -> Retry:
    sighting = door.sightings.get(task.sighting_id)
    if sighting is None:
        # Gone meanwhile (forgotten): nothing to fill; the held email goes as it is, like a give-up.
        awaited.give_up(task.sighting_id, runner)
        return Retry.GAVE_UP
    try:
        face = _indexed(door, task, frame)
    except UnreadableFrame as exc:
        return _give_up_on(awaited, task, runner, str(exc))
    photo, face_photo = snapshot(door, f"sightings/{task.sighting_id}", task.box, frame)
    assert photo is not None  # a frame always makes its photo
    email = new_visitor_email(
        door.policy.owner_email, sighting, door.policy.public_url, task.link_token, frame
    )
    filled = FilledPhoto(face, photo, face_photo, replace(email, key=sighting_email_key(task.sighting_id)))
    try:
        stored = awaited.fill(task.sighting_id, runner, filled)
    except Exception:
        _take_back(door, face)
        raise
    if not stored:
        # Another runner took the task after this one's lease ran out; its photos have the same keys.
        _take_back(door, face)
        _keep_after_a_late_put(door, task.sighting_id, photo, face_photo)
        return Retry.BUSY
    log.info("the photo of sighting %s is filled in (try %d)", task.sighting_id, task.attempts)
    if face is not None:
        _free_camera(door, task.camera_id)
    done = door.sightings.get(task.sighting_id)
    if done is not None:
        door.publisher.publish(done)  # the console updates the card by id
    return Retry.FILLED


def _give_up_on(awaited: AwaitedPhotos, task: PhotoTask, runner: str, reason: str) -> Retry:
    """Bytes that are no image stay so on every later fetch: the held email goes now, without a photo
    (saying none was captured), rather than after every attempt was spent on the same bytes."""
    if not awaited.give_up(task.sighting_id, runner):
        return Retry.BUSY
    log.warning(
        "sighting %s: %s, so it gets no photo (try %d): the owner is emailed without one",
        task.sighting_id,
        reason,
        task.attempts,
    )
    return Retry.GAVE_UP


def _keep_after_a_late_put(door: Door, sighting_id: str, *photos: Photo | None) -> None:
    """This late runner's puts replaced the winner's photos, and on S3 a put tags them unregistered: if the
    visitor was registered meanwhile (their photos kept), the purge would take them. Kept again, always:
    registration keeps before it commits, so no check here could tell "not yet registered" safely, and a
    stranger's snapshot kept past purge_days is the safe way to be wrong."""
    try:
        for photo in photos:
            if photo is not None:
                door.photos.keep(photo)
    except StorageUnavailable:
        log.exception("could not keep the photos of sighting %s again after a late retry", sighting_id)


def _indexed(door: Door, task: PhotoTask, frame: bytes) -> OwnedFace | None:
    """The sighting's face, indexed from the frame now that there is one, so the visit's next frames match
    it; None when the index keeps no face from it (the sighting then stays without one)."""
    try:
        face_id = door.faces.index_face(DetectedFace(task.box, confidence=100.0), frame)
    except UnreadableFrame:
        raise  # no face and no photo either: the caller gives up
    except FaceNotIndexed as exc:
        log.warning("sighting %s: %s", task.sighting_id, exc)
        return None
    return OwnedFace(face_id, FaceOwner.sighting(task.sighting_id), door.clock.now())


def _free_camera(door: Door, camera_id: str) -> None:
    """The face is indexed now and the visit's next frames match it: the next photo-less face at this
    camera is someone else. Best effort: otherwise the claim ends with the visit window."""
    try:
        door.claims.release(photo_less_camera_key(camera_id))
    except StorageUnavailable:
        log.exception("could not free camera %s for its next photo-less stranger", camera_id)


def _take_back(door: Door, face: OwnedFace | None) -> None:
    if face is None:
        return
    try:
        door.faces.delete([face.face_id])
    except Exception:
        log.exception("could not take back face %s of a photo another retry filled", face.face_id)
