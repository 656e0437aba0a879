"""The tracker keeps a face's identity across frames so it is described once, then re-checked slowly."""

from __future__ import annotations

import numpy as np
import pytest

from smartdoor.vision.analyser import FaceBox
from smartdoor.vision.tracker import FaceTracker, TrackerSettings

pytestmark = pytest.mark.unit


def box(x: int, y: int = 100, size: int = 100) -> FaceBox:
    return FaceBox(x, y, x + size, y + size, 2.0)


def test_a_face_that_moves_a_little_stays_one_track() -> None:
    tracker = FaceTracker()
    [first] = tracker.update([box(100)], 0.0)
    [second] = tracker.update([box(110)], 0.1)
    assert first.id == second.id == 1
    assert second.box == box(110)


def test_description_is_needed_once_then_at_the_recheck_rate() -> None:
    tracker = FaceTracker(TrackerSettings(recheck_seconds=2.0))
    [track] = tracker.update([box(100)], 0.0)
    assert tracker.needs_description(track, 0.0)
    tracker.described(track, np.zeros(128, np.float32), 0.0)
    for t in (0.1, 1.0, 1.9):
        [track] = tracker.update([box(100)], t)
        assert not tracker.needs_description(track, t)
    [track] = tracker.update([box(100)], 2.0)
    assert tracker.needs_description(track, 2.0)


def test_two_faces_get_two_tracks_and_a_far_jump_is_a_new_track() -> None:
    tracker = FaceTracker()
    tracks = tracker.update([box(0), box(300)], 0.0)
    assert [t.id for t in tracks] == [1, 2]
    tracks = tracker.update([box(310), box(5)], 0.1)
    assert [t.id for t in tracks] == [1, 2]
    [jumped] = tracker.update([box(500, y=300)], 0.2)
    assert jumped.id == 3


def test_a_track_survives_a_few_missed_frames_then_goes() -> None:
    tracker = FaceTracker(TrackerSettings(max_missed=2))
    tracker.update([box(100)], 0.0)
    tracker.update([], 0.1)
    tracker.update([], 0.2)
    [back] = tracker.update([box(100)], 0.3)
    assert back.id == 1
    for t in (0.4, 0.5, 0.6):
        tracker.update([], t)
    [new] = tracker.update([box(100)], 0.7)
    assert new.id == 2
