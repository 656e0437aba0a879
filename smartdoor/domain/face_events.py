"""Decode face-search records in the shape Rekognition Video writes to Kinesis.

The local analyser writes the same shape (plus an optional ``Descriptor`` per face), so one use case serves
the Lambda and the local camera. Anything malformed raises BadFaceEvent with a reason a person can act on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from smartdoor.domain.descriptors import checked_descriptor
from smartdoor.domain.errors import BadFaceEvent
from smartdoor.domain.model import BoundingBox, DetectedFace, FaceEvent, FaceMatch

MAX_FACES_PER_RECORD = 100  # Rekognition reports at most 100 faces a frame


def _number(value: Any, where: str) -> float:
    # Real producers write timestamps in scientific notation, sometimes as strings.
    if isinstance(value, bool):
        raise BadFaceEvent(f"{where} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise BadFaceEvent(f"{where} is not a number: {value!r:.40}") from exc
    if not math.isfinite(number):
        raise BadFaceEvent(f"{where} is not finite")
    return number


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BadFaceEvent(f"{where} is missing or not an object")
    return value


def camera_from_stream_arn(arn: str) -> str:
    """arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION → NAME."""
    _, _, resource = arn.partition(":stream/")
    name = resource.split("/", 1)[0]
    if not name:
        raise BadFaceEvent(f"StreamArn names no stream: {arn!r:.80}")
    return name


def _match(raw: Any, where: str) -> FaceMatch:
    entry = _mapping(raw, where)
    face = _mapping(entry.get("Face"), f"{where}.Face")
    face_id = face.get("FaceId")
    if not isinstance(face_id, str) or not face_id:
        raise BadFaceEvent(f"{where}.Face.FaceId is missing")
    external = face.get("ExternalImageId")
    return FaceMatch(
        face_id=face_id,
        similarity=_number(entry.get("Similarity"), f"{where}.Similarity"),
        external_image_id=external if isinstance(external, str) and external else None,
    )


def _face(raw: Any, where: str) -> DetectedFace:
    entry = _mapping(raw, where)
    detected = _mapping(entry.get("DetectedFace"), f"{where}.DetectedFace")
    box = _mapping(detected.get("BoundingBox"), f"{where}.DetectedFace.BoundingBox")
    matches = entry.get("MatchedFaces", [])
    if not isinstance(matches, list):
        raise BadFaceEvent(f"{where}.MatchedFaces is not a list")
    descriptor = detected.get("Descriptor")
    if descriptor is not None:
        if not isinstance(descriptor, list) or not descriptor:
            raise BadFaceEvent(f"{where}.DetectedFace.Descriptor is not a list of numbers")
        values = tuple(_number(v, f"{where}.DetectedFace.Descriptor") for v in descriptor)
        descriptor = checked_descriptor(values, f"{where}.DetectedFace.Descriptor")
    return DetectedFace(
        bounding_box=BoundingBox(
            left=_number(box.get("Left"), "BoundingBox.Left"),
            top=_number(box.get("Top"), "BoundingBox.Top"),
            width=_number(box.get("Width"), "BoundingBox.Width"),
            height=_number(box.get("Height"), "BoundingBox.Height"),
        ),
        confidence=_number(detected.get("Confidence", 100.0), f"{where}.DetectedFace.Confidence"),
        matches=tuple(_match(m, f"{where}.MatchedFaces[{i}]") for i, m in enumerate(matches)),
        descriptor=descriptor,
    )


def _frame_identity(video: Mapping[str, Any], offset: float) -> str | None:
    """<stream ARN>/<fragment number>/<frame offset>: the same on every delivery of the frame's record.

    A record without them (written by hand) gets none rather than a hash of its content: nothing
    re-delivers such a record, and two equal hand-made records sent on purpose are two visits.
    """
    arn, fragment = video.get("StreamArn"), video.get("FragmentNumber")
    if isinstance(fragment, int) and not isinstance(fragment, bool):
        fragment = str(fragment)
    if not (isinstance(arn, str) and arn and isinstance(fragment, str) and fragment):
        return None
    return f"{arn}/{fragment}/{offset!r}"  # repr: 1.2, "1.2" and 1.2e0 are one offset


def decode_face_record(record: Mapping[str, Any], camera_id: str | None = None) -> FaceEvent:
    """One record → FaceEvent. ``camera_id`` names the camera when the record has no StreamArn (local)."""
    record = _mapping(record, "record")
    video = _mapping(
        _mapping(record.get("InputInformation"), "InputInformation").get("KinesisVideo"),
        "InputInformation.KinesisVideo",
    )
    arn = video.get("StreamArn")
    if isinstance(arn, str) and arn:
        camera = camera_from_stream_arn(arn)
    elif camera_id:
        camera = camera_id
    else:
        raise BadFaceEvent("InputInformation.KinesisVideo.StreamArn is missing")
    # The frame's own time: records arrive tens of seconds late, so "now" would be wrong.
    offset = _number(video.get("FrameOffsetInSeconds", 0), "FrameOffsetInSeconds")
    seconds = _number(video.get("ProducerTimestamp"), "ProducerTimestamp") + offset
    try:
        frame_time = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise BadFaceEvent(f"ProducerTimestamp is out of range: {seconds}") from exc
    faces = record.get("FaceSearchResponse", [])
    if not isinstance(faces, list):
        raise BadFaceEvent("FaceSearchResponse is not a list")
    if len(faces) > MAX_FACES_PER_RECORD:
        raise BadFaceEvent(f"FaceSearchResponse has {len(faces)} faces; at most {MAX_FACES_PER_RECORD}")
    return FaceEvent(
        camera_id=camera,
        frame_time=frame_time,
        faces=tuple(_face(f, f"FaceSearchResponse[{i}]") for i, f in enumerate(faces)),
        event_id=_frame_identity(video, offset),
    )


def decode_face_json(data: bytes | str, camera_id: str | None = None) -> FaceEvent:
    try:
        record = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadFaceEvent(f"the record is not JSON: {exc}") from exc
    return decode_face_record(record, camera_id)
