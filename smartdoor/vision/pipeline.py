"""Frame → analysis → search → a face-search record → the core's sighting use case."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from smartdoor.adapters.local.descriptor_matrix import SearchResult
from smartdoor.domain.model import Sighting
from smartdoor.edges.face_records import decode_face_record
from smartdoor.services.context import Door
from smartdoor.services.sightings import record_face_event
from smartdoor.vision.analysis import Analyse, AnalysisFailed
from smartdoor.vision.records import SeenFace, face_search_record

log = logging.getLogger(__name__)


class FaceSearch(Protocol):
    def search(self, descriptor: npt.ArrayLike) -> SearchResult: ...


@dataclass
class PipelineStats:
    frames: int = 0
    dropped: int = 0  # frames skipped because analysis was busy (never queued without bound)
    faces: int = 0
    described: int = 0
    unsure: int = 0
    blurred: int = 0
    events: int = 0
    failures: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {k: v for k, v in vars(self).items() if not k.startswith("_")}


class FacePipeline:
    def __init__(self, door: Door, search: FaceSearch, analysis: Analyse) -> None:
        self.door = door
        self.search = search
        self.analysis = analysis
        self.stats = PipelineStats()

    def process(self, camera_id: str, frame_bgr: npt.NDArray[np.uint8], at: datetime) -> list[Sighting]:
        """Analyse one frame; the sightings it created (usually none: most frames repeat the last)."""
        rgb = np.ascontiguousarray(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        try:
            result = self.analysis.analyse(camera_id, at.timestamp(), rgb)
        except AnalysisFailed:
            self.stats.add(frames=1, failures=1)
            log.exception("analysis of a frame from %s failed", camera_id)
            return []
        seen = []
        unsure = 0
        for observation in result.observations:
            found = self.search.search(observation.descriptor)
            if found.verdict == "unsure":
                unsure += 1  # between "same" and "stranger": the track is re-checked on a later frame
                continue
            matches = (found.match,) if found.match else ()
            seen.append(SeenFace(observation.box, matches, observation.descriptor))
        self.stats.add(
            frames=1,
            faces=result.faces,
            described=len(result.observations),
            unsure=unsure,
            blurred=result.blurred,
        )
        if not seen:
            return []
        height, width = frame_bgr.shape[:2]
        record = face_search_record(camera_id, at, (width, height), seen, frame_id=self.door.ids.new_id())
        event = decode_face_record(record)
        ok, jpeg = cv2.imencode(".jpg", frame_bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
        created = record_face_event(self.door, event, jpeg.tobytes() if ok else None)
        self.stats.add(events=1)
        return created
