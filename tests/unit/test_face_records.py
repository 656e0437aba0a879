"""Decoding Rekognition Video's Kinesis records; malformed ones get a reason, never a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smartdoor.domain.errors import BadFaceEvent
from smartdoor.domain.model import FaceMatch
from smartdoor.edges.face_records import decode_face_json, decode_face_record

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
        ("FaceSearchResponse.0.MatchedFaces", [{}] * 101, "at most 100"),
        # Boxes: a little past the frame is a face cut by its edge; far past is no camera's.
        ("FaceSearchResponse.0.DetectedFace.BoundingBox.Left", 1e308, "Left is outside -0.25..1.25"),
        ("FaceSearchResponse.0.DetectedFace.BoundingBox.Top", -0.3, "Top is outside"),
        ("FaceSearchResponse.0.DetectedFace.BoundingBox.Width", -0.01, "Width is outside 0..1.25"),
        ("FaceSearchResponse.0.DetectedFace.BoundingBox.Height", 2, "Height is outside"),
        ("FaceSearchResponse.0.DetectedFace.BoundingBox.Height", float("inf"), "Height is not finite"),
        ("FaceSearchResponse.0.DetectedFace.BoundingBox.Left", float("nan"), "Left is not finite"),
        ("FaceSearchResponse.0.DetectedFace.Confidence", 100.01, "Confidence is outside 0..100"),
        ("FaceSearchResponse.0.DetectedFace.Confidence", -1, "Confidence is outside"),
        ("FaceSearchResponse.0.MatchedFaces.0.Similarity", 1e6, "Similarity is outside 0..100"),
        ("FaceSearchResponse.0.MatchedFaces.0.Similarity", -0.5, "Similarity is outside"),
        # Ids end up in SQL keys, photo paths, logs and email subjects.
        ("FaceSearchResponse.0.MatchedFaces.0.Face.FaceId", "a\ud800b", "FaceId must be"),
        ("FaceSearchResponse.0.MatchedFaces.0.Face.FaceId", "x" * 256, "FaceId must be 1-255"),
        ("FaceSearchResponse.0.MatchedFaces.0.Face.FaceId", 7, "FaceId must be"),
        ("FaceSearchResponse.0.MatchedFaces.0.Face.ExternalImageId", "../../etc", "ExternalImageId must be"),
        ("FaceSearchResponse.0.MatchedFaces.0.Face.ExternalImageId", "v\udfff", "ExternalImageId must be"),
        ("InputInformation.KinesisVideo.StreamArn", "arn:aws:kinesisvideo:r:1:stream/a\r\nb/1", "camera"),
        ("InputInformation.KinesisVideo.StreamArn", "arn:aws:kinesisvideo:r:1:stream/\ud800/1", "camera"),
        ("InputInformation.KinesisVideo.StreamArn", "arn:aws:kinesisvideo:r:1:stream/" + "c" * 257, "camera"),
        # The local analyser's descriptor: dlib's 128 numbers, all finite.
        (
            "FaceSearchResponse.0.DetectedFace.Descriptor",
            [0.5] * 127,
            "Descriptor has 127 values; a face descriptor has 128",
        ),
        ("FaceSearchResponse.0.DetectedFace.Descriptor", [], "Descriptor has 0 values"),
        ("FaceSearchResponse.0.DetectedFace.Descriptor", {"0": 0.5}, "Descriptor is not a list of numbers"),
        (
            "FaceSearchResponse.0.DetectedFace.Descriptor",
            [0.5] * 127 + [float("inf")],
            "Descriptor holds a value that is not finite",
        ),
        (
            "FaceSearchResponse.0.DetectedFace.Descriptor",
            [float("nan")] + [0.5] * 127,
            "Descriptor holds a value that is not finite",
        ),
    ],
)
def test_malformed_records_say_what_is_wrong(path: str, value: object, reason: str) -> None:
    with pytest.raises(BadFaceEvent, match=reason):
        decode_face_record(broken(path, value))


@pytest.mark.parametrize("data", [b"", b"not json", b"\xff\xfe", b"[1, 2]", b"null"])
def test_garbage_bytes(data: bytes) -> None:
    with pytest.raises(BadFaceEvent):
        decode_face_json(data)


def test_a_box_a_little_past_the_frame_is_a_face_cut_by_its_edge() -> None:
    record = load("unknown_face.json")
    record["FaceSearchResponse"][0]["DetectedFace"]["BoundingBox"] = {
        "Left": -0.2,
        "Top": 1.1,
        "Width": 1.25,
        "Height": 0.0,
    }
    [face] = decode_face_record(record).faces
    assert (face.bounding_box.left, face.bounding_box.top) == (-0.2, 1.1)


def test_a_camera_named_by_the_caller_must_be_a_plain_name() -> None:
    record = load("unknown_face.json")
    del record["InputInformation"]["KinesisVideo"]["StreamArn"]
    assert decode_face_record(record, camera_id="side-gate_2.v1").camera_id == "side-gate_2.v1"
    for bad in ["porch\nBcc: x", "../etc", "a b", "x" * 257]:
        with pytest.raises(BadFaceEvent, match="the camera must be named by 1-256 letters"):
            decode_face_record(record, camera_id=bad)


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
