"""dlib on the real photos: the right face count on every photo, every pair of pairs.csv right."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest

from smartdoor.adapters.local.descriptor_matrix import SearchSettings
from smartdoor.vision.analyser import Descriptor, FaceAnalyser
from tests.video_frames import frames_of

pytestmark = pytest.mark.integration


@cache
def analyser() -> FaceAnalyser:
    return FaceAnalyser()


def rgb(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)  # drops a PNG's alpha channel
    assert image is not None, path
    return np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))


@cache
def descriptor(path: Path) -> Descriptor:
    image = rgb(path)
    [box] = analyser().detect_in_photo(image)
    return analyser().describe(image, box)


def labelled(testdata: Path) -> list[tuple[Path, int]]:
    with (testdata / "faces" / "labels.csv").open() as handle:
        return [
            (testdata / "faces" / row["file"], int(row["expected_faces"])) for row in csv.DictReader(handle)
        ]


def test_the_right_face_count_on_every_photo(testdata: Path) -> None:
    photos = labelled(testdata)
    assert len(photos) == 13
    counts = {path.name: len(analyser().detect_in_photo(rgb(path))) for path, _ in photos}
    assert counts == {path.name: expected for path, expected in photos}


def test_every_pair_is_right_at_the_chosen_thresholds(testdata: Path) -> None:
    settings = SearchSettings()
    with (testdata / "faces" / "pairs.csv").open() as handle:
        pairs = list(csv.DictReader(handle))
    assert len(pairs) == 28
    wrong = []
    for pair in pairs:
        a = descriptor(testdata / "faces" / pair["file_a"])
        b = descriptor(testdata / "faces" / pair["file_b"])
        distance = float(np.linalg.norm(a - b))
        same = pair["same"] == "1"
        right = distance <= settings.known_distance if same else distance >= settings.new_distance
        if not right:
            wrong.append((pair["file_a"], pair["file_b"], round(distance, 3)))
    assert wrong == []


def test_frames_are_detected_fast_path_too(testdata: Path) -> None:
    frames = [
        np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        for frame in frames_of(testdata / "faces" / "door.mp4")
    ]
    with (testdata / "faces" / "door_truth_frames.csv").open() as handle:
        truth = [bool(row["identity"]) for row in csv.DictReader(handle)]
    found = [len(analyser().detect(frame)) for frame in frames]
    assert found == [1 if present else 0 for present in truth]
