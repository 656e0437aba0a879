"""The door device's gate: of a camera's frames, pass on only those in which a new face track begins.

A deployed door pays per frame it analyses (an upload, a Rekognition search), so the device spends a cheap
local detection (HOG, ~16 ms a frame) to keep every other frame at home: frames with no face, frames of a
face already sent, and blurred first looks at a face (its next, sharper frame is sent instead).

Which frame of a track: its first good one (a face the detector kept that is as sharp as the local pipeline
wants before it describes a face). Waiting for the best of a track's first few frames would delay every
visitor's passcode by those frames and hold frames in memory for a small gain: the cloud side re-detects the
face itself, and the local pipeline, which decides on the same first good frame, identifies every face of the
door video that way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from smartdoor.vision.analyser import FaceBox
from smartdoor.vision.tracker import FaceTracker, TrackerSettings

NEW_FACE = "new face"
NO_FACE = "no face"
ALREADY_SENT = "already sent"
BLURRED = "blurred"


@dataclass(frozen=True)
class GateDecision:
    send: bool
    reason: str  # one of NEW_FACE, NO_FACE, ALREADY_SENT, BLURRED
    new_tracks: tuple[int, ...] = ()  # the tracks this frame is the one upload of


@dataclass
class GateCounts:
    frames: int = 0
    tracks: int = 0  # face tracks begun
    selected: int = 0  # frames the gate passed on
    no_face: int = 0
    already_sent: int = 0
    blurred: int = 0


@dataclass
class NewFaceGate:
    """Pure: fed each frame's face boxes and a sharpness test, it says whether the frame goes."""

    tracker: FaceTracker = field(default_factory=lambda: FaceTracker(TrackerSettings()))
    counts: GateCounts = field(default_factory=GateCounts)
    _seen: set[int] = field(default_factory=set)
    _sent: set[int] = field(default_factory=set)

    def decide(
        self, boxes: Sequence[FaceBox], at: float, is_sharp: Callable[[FaceBox], bool]
    ) -> GateDecision:
        self.counts.frames += 1
        tracks = self.tracker.update(list(boxes), at)
        # A track the tracker forgot (gone longer than its max_missed frames) is never seen again: a face
        # that comes back later is a new track, and so a new upload.
        live = {t.id for t in self.tracker.tracks}
        self._seen &= live
        self._sent &= live
        for track in tracks:
            if track.id not in self._seen:
                self._seen.add(track.id)
                self.counts.tracks += 1
        if not tracks:
            self.counts.no_face += 1
            return GateDecision(False, NO_FACE)
        unsent = [t for t in tracks if t.id not in self._sent]
        if not unsent:
            self.counts.already_sent += 1
            return GateDecision(False, ALREADY_SENT)
        good = tuple(t.id for t in unsent if is_sharp(t.box))
        if not good:
            self.counts.blurred += 1
            return GateDecision(False, BLURRED)
        # One frame serves every new face in it: at most one upload per track, often fewer.
        self._sent.update(good)
        self.counts.selected += 1
        return GateDecision(True, NEW_FACE, good)
