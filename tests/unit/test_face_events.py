"""Decoding Rekognition Video's Kinesis records; malformed ones get a reason, never a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smartdoor.domain.errors import BadFaceEvent
from smartdoor.domain.face_events import decode_face_json, decode_face_record
from smartdoor.domain.model import FaceMatch

pytestmark = pytest.mark.unit

EVENTS = Path(__file__).resolve().parents[1] / "events"


def load(name: str) -> dict:  # type: ignore[type-arg]
    record: dict = json.loads((EVENTS / name).read_text())  # type: ignore[type-arg]
    return record


def test_an_unknown_face() -> None:
    event = decode_face_record(load("unknown_face.json"))
    assert event.camera_id == "front-door"
    # The frame's own time: ProducerTimestamp + FrameOffsetInSeconds.
    assert event.frame_time == datetime.fromtimestamp(1763900000.25 + 1.2, tz=UTC)
    [face] = event.faces
    assert face.matches == ()
    assert face.best_match() is None


def test_scientific_notation_gives_the_same_time() -> None:
    plain = decode_face_record(load("unknown_face.json"))
    scientific = decode_face_record(load("unknown_face_scientific.json"))
    assert scientific.frame_time == plain.frame_time


def test_the_best_of_several_matches() -> None:
    [face] = decode_face_record(load("known_face.json")).faces
    assert face.best_match() == FaceMatch("3c9e1f52-7a44-4b1e-8d6f-2a9c5e0b7d31", 99.12, "visitor-7f2c9a1e")
    assert len(face.matches) == 2


def test_two_faces_none_and_no_external_id() -> None:
    assert len(decode_face_record(load("two_faces.json")).faces) == 2
    assert decode_face_record(load("no_faces.json")).faces == ()
    [face] = decode_face_record(load("match_without_external_id.json")).faces
    best = face.best_match()
    assert best is not None
    assert best.external_image_id is None


def broken(path: str, value: object) -> dict:  # type: ignore[type-arg]
    record = load("known_face.json")
    target = record
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is KeyError:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return record


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("InputInformation", KeyError, "InputInformation is missing"),
        ("InputInformation.KinesisVideo.StreamArn", "arn:aws:kinesisvideo:x", "names no stream"),
        ("InputInformation.KinesisVideo.ProducerTimestamp", "soon", "not a number"),
        ("InputInformation.KinesisVideo.ProducerTimestamp", float("nan"), "not finite"),
        ("InputInformation.KinesisVideo.ProducerTimestamp", 1e20, "out of range"),
        ("InputInformation.KinesisVideo.ProducerTimestamp", True, "not a number"),
        ("FaceSearchResponse", 3, "not a list"),
        ("FaceSearchResponse.0.MatchedFaces", {"a": 1}, "MatchedFaces is not a list"),
        ("FaceSearchResponse.0.MatchedFaces.0.Similarity", "high", "Similarity is not a number"),
        ("FaceSearchResponse.0.MatchedFaces.0.Face", KeyError, "Face is missing"),
        ("FaceSearchResponse.0.DetectedFace.BoundingBox", None, "BoundingBox is missing"),
        ("FaceSearchResponse", [{}] * 101, "at most 100"),
    ],
)
def test_malformed_records_say_what_is_wrong(path: str, value: object, reason: str) -> None:
    with pytest.raises(BadFaceEvent, match=reason):
        decode_face_record(broken(path, value))


@pytest.mark.parametrize("data", [b"", b"not json", b"\xff\xfe", b"[1, 2]", b"null"])
def test_garbage_bytes(data: bytes) -> None:
    with pytest.raises(BadFaceEvent):
        decode_face_json(data)


def test_a_local_record_names_its_camera_and_may_carry_a_descriptor() -> None:
    record = load("unknown_face.json")
    del record["InputInformation"]["KinesisVideo"]["StreamArn"]
    record["FaceSearchResponse"][0]["DetectedFace"]["Descriptor"] = [0.5] * 128
    event = decode_face_record(record, camera_id="porch")
    assert event.camera_id == "porch"
    assert event.faces[0].descriptor == (0.5,) * 128
    with pytest.raises(BadFaceEvent, match="StreamArn is missing"):
        decode_face_record(record)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ([0.5] * 127, "has 127 values; a face descriptor has 128"),
        ([0.5] * 129, "has 129 values"),
        ([0.5] * 127 + ["x"], "not a number"),
        ([0.5] * 127 + [True], "not a number"),
    ],
)
def test_a_descriptor_must_be_128_numbers(values: list[object], reason: str) -> None:
    # A descriptor of the wrong length, once indexed, broke every later search (issue 7).
    record = load("unknown_face.json")
    record["FaceSearchResponse"][0]["DetectedFace"]["Descriptor"] = values
    with pytest.raises(BadFaceEvent, match=reason):
        decode_face_record(record)
