"""`smartdoor replay --frame`: the frame given stands for the record's face, found in it as the camera would.

Without this the server cut the record's box (from some other camera's frame) out of an unrelated photo,
and dated the sighting by the record's old timestamp. So: find the face in the frame with the camera's
dlib analyser, put its box and descriptor into the record, and date the record now (the replay is a new
observation, with its own identity, so a replay is never taken for a re-delivery of the original).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from smartdoor.ports import Clock
from smartdoor.vision.analyser import FaceAnalyser
from smartdoor.vision.frames import BadFrame, decode_jpeg


class FrameRefused(Exception):
    """The frame cannot stand for a face (no face, not an image); the message says why."""


@dataclass(frozen=True)
class FrameFace:
    box: dict[str, float]  # Rekognition's BoundingBox: Left, Top, Width, Height, relative to the frame
    descriptor: list[float]
    faces: int  # how many faces the frame showed (the largest is used)


def face_in_frame(jpeg: bytes, analyser: FaceAnalyser | None = None) -> FrameFace:
    try:
        bgr = decode_jpeg(jpeg)
    except BadFrame as exc:
        raise FrameRefused(str(exc)) from exc
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    analyser = analyser or FaceAnalyser()
    boxes = analyser.detect_in_photo(rgb)  # a still: the thorough detector, as `smartdoor enroll` uses
    if not boxes:
        raise FrameRefused("no face in the frame: give a photo that shows the visitor's face")
    largest = max(boxes, key=lambda b: b.width * b.height)  # the one nearest the door
    height, width = rgb.shape[:2]
    box = {
        "Left": largest.left / width,
        "Top": largest.top / height,
        "Width": largest.width / width,
        "Height": largest.height / height,
    }
    descriptor = [float(v) for v in analyser.describe(rgb, largest)]
    return FrameFace(box, descriptor, len(boxes))


def with_frame_face(record: Any, face: FrameFace, clock: Clock, new_id: Callable[[], str]) -> Any:
    """The record as if seen now in the frame, its face's box and descriptor the frame's; ValueError for a
    record of several faces, which one frame face cannot stand for."""
    if not isinstance(record, dict):
        return record  # not a record: the server says what is wrong with it
    faces = record.get("FaceSearchResponse")
    if isinstance(faces, list) and len(faces) > 1:
        raise ValueError(f"it has {len(faces)} faces and --frame stands for one; replay it without --frame")
    stamped = copy.deepcopy(record)
    video = stamped.get("InputInformation", {}).get("KinesisVideo")
    if isinstance(video, dict):
        video["ProducerTimestamp"] = video["ServerTimestamp"] = clock.now().timestamp()
        video["FrameOffsetInSeconds"] = 0.0
        video["FragmentNumber"] = new_id()
    for entry in stamped.get("FaceSearchResponse") or []:
        detected = entry.get("DetectedFace") if isinstance(entry, dict) else None
        if isinstance(detected, dict):
            detected["BoundingBox"] = dict(face.box)
            detected["Descriptor"] = list(face.descriptor)
            detected.pop("Landmarks", None)  # they were the recorded face's
    return stamped
