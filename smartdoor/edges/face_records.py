"""Decode face-search records in the shape Rekognition Video writes to Kinesis.

The local analyser writes the same shape (plus an optional ``Descriptor`` per face), so one use case serves
the Lambda and the local camera. Anything malformed raises BadFaceEvent with a reason a person can act on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from smartdoor.domain import untrusted_json
from smartdoor.domain.descriptors import checked_descriptor
from smartdoor.domain.errors import BadFaceEvent, BadJson
from smartdoor.domain.model import BoundingBox, DetectedFace, FaceEvent, FaceMatch

MAX_FACES_PER_RECORD = 100  # Rekognition reports at most 100 faces a frame
MAX_MATCHES_PER_FACE = 100  # a search returns a handful; a long list is no search's
# Rekognition's boxes may reach a little past the frame when a face is cut by its edge; far outside
# (or 1e308, which overflows the crop arithmetic) is no camera's.
BOX_SLACK = 0.25
# Rekognition's own patterns: FaceId is a UUID, ExternalImageId [a-zA-Z0-9_.-:]{1,255}, a KVS stream name
# [a-zA-Z0-9_.-]{1,256}. Ids go into SQL keys, photo paths, logs and email subjects: nothing else gets in.
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,255}")
_CAMERA = re.compile(r"[A-Za-z0-9_.-]{1,256}")


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


def _bounded(value: Any, where: str, low: float, high: float) -> float:
    number = _number(value, where)
    if not low <= number <= high:
        raise BadFaceEvent(f"{where} is outside {low:g}..{high:g}: {number:.6g}")
    return number


def _identifier(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise BadFaceEvent(f"{where} must be 1-255 letters, digits, '_', '.', ':' or '-'")
    return value


CAMERA_ID_RULE = "1-256 letters, digits, '_', '.' or '-'"


def is_camera_id(name: str) -> bool:
    """A camera's name as Kinesis Video allows a stream's: CAMERA_ID_RULE."""
    return _CAMERA.fullmatch(name) is not None


def _camera(name: str) -> str:
    if not is_camera_id(name):
        raise BadFaceEvent(f"the camera must be named by {CAMERA_ID_RULE}")
    return name


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
    return _camera(name)


def _match(raw: Any, where: str) -> FaceMatch:
    entry = _mapping(raw, where)
    face = _mapping(entry.get("Face"), f"{where}.Face")
    face_id = face.get("FaceId")
    if face_id is None or face_id == "":
        raise BadFaceEvent(f"{where}.Face.FaceId is missing")
    external = face.get("ExternalImageId")
    return FaceMatch(
        face_id=_identifier(face_id, f"{where}.Face.FaceId"),
        similarity=_bounded(entry.get("Similarity"), f"{where}.Similarity", 0.0, 100.0),
        external_image_id=(
            _identifier(external, f"{where}.Face.ExternalImageId") if external not in (None, "") else None
        ),
    )


def _descriptor(raw: Any, where: str) -> tuple[float, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise BadFaceEvent(f"{where} is not a list of numbers")
    return checked_descriptor(raw, where)


def _box(raw: Any, where: str) -> BoundingBox:
    box = _mapping(raw, where)
    return BoundingBox(
        left=_bounded(box.get("Left"), f"{where}.Left", -BOX_SLACK, 1.0 + BOX_SLACK),
        top=_bounded(box.get("Top"), f"{where}.Top", -BOX_SLACK, 1.0 + BOX_SLACK),
        width=_bounded(box.get("Width"), f"{where}.Width", 0.0, 1.0 + BOX_SLACK),
        height=_bounded(box.get("Height"), f"{where}.Height", 0.0, 1.0 + BOX_SLACK),
    )


def _face(raw: Any, where: str) -> DetectedFace:
    entry = _mapping(raw, where)
    detected = _mapping(entry.get("DetectedFace"), f"{where}.DetectedFace")
    matches = entry.get("MatchedFaces", [])
    if not isinstance(matches, list):
        raise BadFaceEvent(f"{where}.MatchedFaces is not a list")
    if len(matches) > MAX_MATCHES_PER_FACE:
        raise BadFaceEvent(f"{where}.MatchedFaces has {len(matches)} matches; at most {MAX_MATCHES_PER_FACE}")
    return DetectedFace(
        bounding_box=_box(detected.get("BoundingBox"), f"{where}.DetectedFace.BoundingBox"),
        confidence=_bounded(
            detected.get("Confidence", 100.0), f"{where}.DetectedFace.Confidence", 0.0, 100.0
        ),
        matches=tuple(_match(m, f"{where}.MatchedFaces[{i}]") for i, m in enumerate(matches)),
        descriptor=_descriptor(detected.get("Descriptor"), f"{where}.DetectedFace.Descriptor"),
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
        camera = _camera(camera_id)
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
        record = untrusted_json.loads_object(data)
    except BadJson as exc:
        raise BadFaceEvent(f"the record is refused: {exc}") from exc
    return decode_face_record(record, camera_id)
