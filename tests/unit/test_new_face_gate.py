"""The device's gate on hand-made face boxes: a frame goes only when a new face track begins."""

from __future__ import annotations

import pytest

from smartdoor.vision.analyser import FaceBox
from smartdoor.vision.new_face_gate import ALREADY_SENT, BLURRED, NEW_FACE, NO_FACE, NewFaceGate
from smartdoor.vision.tracker import FaceTracker, TrackerSettings

pytestmark = pytest.mark.unit


def box(x: int, y: int = 100, size: int = 100) -> FaceBox:
    return FaceBox(x, y, x + size, y + size, 2.0)


def sharp(_: FaceBox) -> bool:
    return True


def blurred(_: FaceBox) -> bool:
    return False


def gate(max_missed: int = 5) -> NewFaceGate:
    return NewFaceGate(FaceTracker(TrackerSettings(max_missed=max_missed)))


def test_frames_without_a_face_are_kept_back_and_counted() -> None:
    g = gate()
    decisions = [g.decide([], n * 0.1, sharp) for n in range(3)]
    assert [(d.send, d.reason) for d in decisions] == [(False, NO_FACE)] * 3
    assert (g.counts.frames, g.counts.no_face, g.counts.selected, g.counts.tracks) == (3, 3, 0, 0)


def test_a_face_that_stays_is_sent_once_on_its_first_good_frame() -> None:
    g = gate()
    first = g.decide([box(100)], 0.0, sharp)
    later = [g.decide([box(100 + n)], n * 0.1, sharp) for n in range(1, 10)]
    assert (first.send, first.reason, first.new_tracks) == (True, NEW_FACE, (1,))
    assert {(d.send, d.reason) for d in later} == {(False, ALREADY_SENT)}
    assert (g.counts.tracks, g.counts.selected, g.counts.already_sent) == (1, 1, 9)


def test_a_blurred_first_look_waits_for_the_tracks_next_sharp_frame() -> None:
    g = gate()
    looks = [blurred, blurred, sharp, sharp]
    decisions = [g.decide([box(100)], n * 0.1, look) for n, look in enumerate(looks)]
    assert [d.reason for d in decisions] == [BLURRED, BLURRED, NEW_FACE, ALREADY_SENT]
    assert (g.counts.tracks, g.counts.blurred, g.counts.selected) == (1, 2, 1)


def test_a_face_back_after_the_forget_time_is_a_new_upload_and_a_blink_is_not() -> None:
    g = gate(max_missed=2)
    assert g.decide([box(100)], 0.0, sharp).send
    # A blink: two frames without the face, within max_missed: the same track, nothing sent.
    assert [g.decide([], t, sharp).send for t in (0.1, 0.2)] == [False, False]
    assert g.decide([box(100)], 0.3, sharp).reason == ALREADY_SENT
    # Gone for three frames (more than max_missed): forgotten, so its return is a new track and an upload.
    for t in (0.4, 0.5, 0.6):
        g.decide([], t, sharp)
    back = g.decide([box(100)], 0.7, sharp)
    assert (back.send, back.new_tracks) == (True, (2,))
    assert (g.counts.tracks, g.counts.selected) == (2, 2)


def test_one_frame_serves_two_new_faces_and_a_second_arrival_gets_its_own() -> None:
    g = gate()
    both = g.decide([box(0), box(300)], 0.0, sharp)
    assert (both.send, both.new_tracks) == (True, (1, 2))
    assert g.decide([box(0), box(300)], 0.1, sharp).reason == ALREADY_SENT
    third = g.decide([box(0), box(300), box(500, y=300)], 0.2, sharp)
    assert (third.send, third.new_tracks) == (True, (3,))
    assert (g.counts.tracks, g.counts.selected) == (3, 2)


def test_only_the_sharp_one_of_two_new_faces_is_sent_and_the_other_goes_later() -> None:
    g = gate()
    left_sharp = g.decide([box(0), box(300)], 0.0, lambda b: b.left == 0)
    assert left_sharp.new_tracks == (1,)
    right_now_sharp = g.decide([box(0), box(300)], 0.1, sharp)
    assert (right_now_sharp.send, right_now_sharp.new_tracks) == (True, (2,))
