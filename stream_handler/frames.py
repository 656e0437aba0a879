"""The frame Lambda: S3 ObjectCreated notifications of door frames → the frame path's use case.

Lambda's handler setting is ``stream_handler.frames.handler``; the trigger is the photo bucket's
ObjectCreated events under ``frames/`` ending ``.jpg``. S3 invokes it asynchronously, so what this handler
raises is retried by Lambda (twice, then the on-failure destination the CDK app sets):

- A record that can never become a frame (a key that names no frame, another bucket's object, no JPEG or PNG,
  larger than Rekognition takes, deleted before it was read: BadFaceEvent, NotFound) is logged once with its
  reason and skipped: raising would only repeat it. A claim on the record keeps a retry of the event from
  logging it again.
- StorageUnavailable (S3, DynamoDB or Rekognition throttled or down) is raised after every other record of
  the event has had its turn, so Lambda retries the event; the frames' claims make the records already
  handled skip their second run.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventRecord

from smartdoor.domain.errors import BadFaceEvent, NotFound, StorageUnavailable
from smartdoor.services.context import Door
from smartdoor.services.frame_faces import record_uploaded_frame
from smartdoor.services.streamed_faces import first_report_of_bad_record
from stream_handler.container import get_door, settings

log = logging.getLogger("smartdoor.stream_handler.frames")


def handler(event: dict[str, Any], context: Any) -> None:
    door = get_door()
    failures: list[StorageUnavailable] = []
    for record in S3Event(event).records:
        try:
            _handle(door, record)
        except StorageUnavailable as exc:
            log.warning("a frame could not be handled now, the event will be retried: %s", exc)
            failures.append(exc)
    if failures:
        raise failures[0]


def _handle(door: Door, record: S3EventRecord) -> None:
    try:
        bucket, key, sequencer = _names(record)
    except (KeyError, TypeError, ValueError) as exc:
        log.error("an S3 record without a bucket and key was skipped: %r", exc)
        return
    try:
        if not record.event_name.startswith("ObjectCreated:"):
            raise BadFaceEvent(f"{record.event_name} is no upload")
        if bucket != settings().photo_bucket:
            raise BadFaceEvent(f"bucket {bucket} is not the door's photo bucket")
        created = record_uploaded_frame(door, key)
    except (BadFaceEvent, NotFound) as exc:
        _skip(door, bucket, key, sequencer, exc)
        return
    log.info("frame %s: %d sighting(s)", key, len(created))


def _names(record: S3EventRecord) -> tuple[str, str, str]:
    """The bucket, the object key (S3 sends it URL-encoded, spaces as '+') and the event's sequencer."""
    s3 = record.s3
    return s3.bucket.name, unquote_plus(s3.get_object.key), str(s3.get_object.get("sequencer", ""))


def _skip(door: Door, bucket: str, key: str, sequencer: str, reason: Exception) -> None:
    try:
        first = first_report_of_bad_record(door, f"s3://{bucket}", f"{key}@{sequencer}")
    except StorageUnavailable:
        first = True  # rather a second line in the log than none
    if first:
        log.error("s3://%s/%s is no frame the door can use, skipped: %s", bucket, key, reason)
    else:
        log.info("s3://%s/%s was skipped before: skipped again", bucket, key)
