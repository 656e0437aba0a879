"""One Kinesis record → one FaceEvent, through the same bounded decoders as every other edge."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from smartdoor.domain.errors import BadFaceEvent
from smartdoor.domain.model import FaceEvent
from smartdoor.edges.face_records import decode_face_json

# Kinesis caps a record at 1 MiB; base64 makes that a third larger. Anything longer is no record of Kinesis.
MAX_DATA_CHARS = 4 * (1024 * 1024 // 3 + 1)


def decode_kinesis_record(record: dict[str, Any]) -> FaceEvent:
    """The face event a Lambda Kinesis record carries; BadFaceEvent when it carries none it can ever yield."""
    kinesis = record.get("kinesis")
    data = kinesis.get("data") if isinstance(kinesis, dict) else None
    if not isinstance(data, str):
        raise BadFaceEvent("the record has no kinesis.data")
    if len(data) > MAX_DATA_CHARS:
        raise BadFaceEvent(f"kinesis.data is longer than {MAX_DATA_CHARS} characters")
    try:
        payload = base64.b64decode(data, validate=True)
    except binascii.Error as exc:
        raise BadFaceEvent(f"kinesis.data is not base64: {exc}") from exc
    return decode_face_json(payload)


def describe(record: dict[str, Any]) -> tuple[str, str]:
    """(stream ARN, sequence number) of a record, as far as it names them: for logs and poison claims."""
    kinesis = record.get("kinesis")
    sequence = kinesis.get("sequenceNumber") if isinstance(kinesis, dict) else None
    stream = record.get("eventSourceARN")
    return (stream if isinstance(stream, str) else "?"), (sequence if isinstance(sequence, str) else "?")
