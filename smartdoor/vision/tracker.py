"""Follow faces from frame to frame, so a face that stays in view is described once, not every frame."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from smartdoor.vision.analyser import Descriptor, FaceBox


@dataclass
class Track:
    id: int
    box: FaceBox
    first_seen: float
    last_seen: float
    missed: int = 0
    descriptor: Descriptor | None = None
    described_at: float | None = None
    descriptions: int = 0


@dataclass(frozen=True)
class TrackerSettings:
    min_iou: float = 0.3  # overlap with the previous box that keeps a face the same track
    max_missed: int = 5  # frames a track survives without a detection (a blink, a bad frame)
    recheck_seconds: float = 2.0  # identity re-checked at this rate while the face stays


@dataclass
class FaceTracker:
    settings: TrackerSettings = field(default_factory=TrackerSettings)
    tracks: list[Track] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def update(self, boxes: list[FaceBox], at: float) -> list[Track]:
        """Match this frame's boxes to tracks (greedy by overlap); return the tracks seen in this frame."""
        pairs = sorted(
            (
                (box.iou(track.box), b, t)
                for b, box in enumerate(boxes)
                for t, track in enumerate(self.tracks)
            ),
            reverse=True,
        )
        used_boxes: set[int] = set()
        used_tracks: set[int] = set()
        for overlap, b, t in pairs:
            if overlap < self.settings.min_iou:
                break
            if b in used_boxes or t in used_tracks:
                continue
            used_boxes.add(b)
            used_tracks.add(t)
            track = self.tracks[t]
            track.box, track.last_seen, track.missed = boxes[b], at, 0
        for t, track in enumerate(self.tracks):
            if t not in used_tracks:
                track.missed += 1
        seen = [self.tracks[t] for t in used_tracks]
        for b, box in enumerate(boxes):
            if b not in used_boxes:
                track = Track(id=next(self._ids), box=box, first_seen=at, last_seen=at)
                self.tracks.append(track)
                seen.append(track)
        self.tracks = [t for t in self.tracks if t.missed <= self.settings.max_missed]
        return sorted(seen, key=lambda t: t.id)

    def needs_description(self, track: Track, at: float) -> bool:
        if track.described_at is None:
            return True
        return at - track.described_at >= self.settings.recheck_seconds

    def described(self, track: Track, descriptor: Descriptor, at: float) -> None:
        track.descriptor, track.described_at = descriptor, at
        track.descriptions += 1
