"""Each Kinesis record is decoded and handed to the sighting use case; nothing else happens here.

Failures, and what Lambda does with them (the trigger is set with report-batch-item-failures, bisect on
error, bounded retries and record age, and an on-failure destination):

- A transient failure (StorageUnavailable: DynamoDB, S3 or Rekognition throttled or down after botocore's own
  retries) is reported in ``batchItemFailures``: Lambda re-delivers from that record on, and the face-event
  claims make the records already handled in the batch skip their second run.
- A record that can never decode (not base64, not JSON, not a face record: BadFaceEvent) is reported the
  first time only, and logged then with its sequence number: the report puts it in Lambda's accounting
  (and, should retries run out while it is still failing, in the on-failure destination). A claim on the
  record remembers it, so every re-delivery skips it as handled: the same bytes can never decode later,
  and a record failed forever would hold the shard until its retries or age ran out. If the claim itself
  cannot be taken (storage down), the record is logged and let through rather than risk blocking.
"""

from __future__ import annotations

import logging
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord

from smartdoor.domain.errors import BadFaceEvent, StorageUnavailable
from smartdoor.services.context import Door
from smartdoor.services.streamed_faces import first_report_of_bad_record, record_streamed_face_event
from stream_handler.container import get_door
from stream_handler.records import decode_kinesis_record, describe

log = logging.getLogger("smartdoor.stream_handler")

# A batch whose every record failed is answered with every record in batchItemFailures too, not an
# exception: Lambda then retries it the same way, and the logs tell one story.
processor = BatchProcessor(EventType.KinesisDataStreams, raise_on_entire_batch_failure=False)


class BadRecordReported(Exception):
    """A record that can never decode, met for the first time: reported once as a batch item failure."""


def handle_record(record: KinesisStreamRecord) -> None:
    raw: dict[str, Any] = record.raw_event
    door = get_door()
    try:
        event = decode_kinesis_record(raw)
    except BadFaceEvent as exc:
        _bad_record(door, raw, exc)
        return
    record_streamed_face_event(door, event)


def _bad_record(door: Door, raw: dict[str, Any], reason: BadFaceEvent) -> None:
    stream, sequence = describe(raw)
    try:
        first = first_report_of_bad_record(door, stream, sequence)
    except StorageUnavailable:
        log.exception("record %s of %s can never be decoded (%s); let through", sequence, stream, reason)
        return
    if not first:
        log.info("record %s of %s was reported as undecodable before: skipped", sequence, stream)
        return
    log.error("record %s of %s can never be decoded: %s", sequence, stream, reason)
    raise BadRecordReported(sequence) from reason


def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=handle_record, processor=processor, context=context
    )
