"""Per-frame analysis: detect, track, and describe only the faces whose identity needs (re)checking.

FrameAnalysis runs in-process (tests, photos); AnalysisWorker runs the same thing in a child process so the
CPU-heavy part never stalls the server's event loop or the other camera threads.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Protocol

from smartdoor.vision.analyser import AnalyserSettings, Descriptor, FaceAnalyser, FaceBox, Image
from smartdoor.vision.tracker import FaceTracker, TrackerSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Observation:
    """A face whose identity the pipeline should decide now (new track, or time for a re-check)."""

    track_id: int
    box: FaceBox
    descriptor: Descriptor


@dataclass(frozen=True)
class FrameResult:
    faces: int
    observations: tuple[Observation, ...] = ()
    blurred: int = 0


class Analyse(Protocol):
    def analyse(self, camera_id: str, at: float, rgb: Image) -> FrameResult: ...
    def problem(self) -> str | None:
        """Why analysis cannot take frames right now, or None when it can."""
        ...

    def close(self) -> None: ...


class AnalysisFailed(Exception):
    """The analysis of one frame failed (a dead worker, a broken frame); the next frame goes on."""


@dataclass
class FrameAnalysis:
    analyser_settings: AnalyserSettings = field(default_factory=AnalyserSettings)
    tracker_settings: TrackerSettings = field(default_factory=TrackerSettings)
    _trackers: dict[str, FaceTracker] = field(default_factory=dict)
    _analyser: FaceAnalyser | None = None

    def analyse(self, camera_id: str, at: float, rgb: Image) -> FrameResult:
        if self._analyser is None:  # loading dlib's models takes ~0.3 s: on first use, not at start
            self._analyser = FaceAnalyser(self.analyser_settings)
        analyser = self._analyser
        tracker = self._trackers.setdefault(camera_id, FaceTracker(self.tracker_settings))
        boxes = analyser.detect(rgb)
        observations, blurred = [], 0
        for track in tracker.update(boxes, at):
            if not tracker.needs_description(track, at):
                continue  # the same face as a moment ago: no 90 ms re-encoding
            if analyser.sharpness(rgb, track.box) < self.analyser_settings.min_sharpness:
                blurred += 1  # try again on a sharper frame of the same track
                continue
            descriptor = analyser.describe(rgb, track.box)
            tracker.described(track, descriptor, at)
            observations.append(Observation(track.id, track.box, descriptor))
        return FrameResult(len(boxes), tuple(observations), blurred)

    def problem(self) -> str | None:
        return None  # in this process: if it runs at all, it can analyse

    def close(self) -> None:
        self._trackers.clear()


def _worker_main(
    conn: Connection, analyser_settings: AnalyserSettings, tracker_settings: TrackerSettings
) -> None:
    analysis = FrameAnalysis(analyser_settings, tracker_settings)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        camera_id, at, rgb = message
        try:
            conn.send(("ok", analysis.analyse(camera_id, at, rgb)))
        except Exception as exc:  # one bad frame must not end the worker
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class AnalysisWorker:
    """FrameAnalysis in a child process (spawned: no inherited threads or locks); restarted if it dies."""

    def __init__(
        self,
        analyser_settings: AnalyserSettings | None = None,
        tracker_settings: TrackerSettings | None = None,
    ) -> None:
        self._settings = (analyser_settings or AnalyserSettings(), tracker_settings or TrackerSettings())
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._conn: Connection | None = None

    def _ensure_started(self) -> Connection:
        if self._conn is None or self._process is None or not self._process.is_alive():
            parent, child = self._context.Pipe()
            self._process = self._context.Process(
                target=_worker_main, args=(child, *self._settings), daemon=True, name="smartdoor-analysis"
            )
            self._process.start()
            child.close()
            self._conn = parent
        return self._conn

    def analyse(self, camera_id: str, at: float, rgb: Image) -> FrameResult:
        with self._lock:
            conn = self._ensure_started()
            try:
                conn.send((camera_id, at, rgb))
                status, payload = conn.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                self._conn = None
                raise AnalysisFailed(f"the analysis worker stopped: {exc}") from exc
        if status != "ok":
            raise AnalysisFailed(payload)
        result: FrameResult = payload
        return result

    @property
    def pid(self) -> int | None:
        process = self._process
        return None if process is None else int(process.pid)

    def problem(self) -> str | None:
        """A worker that was started and has died since; one not started yet is fine (it starts with the
        first frame, and the next frame after a death starts a new one)."""
        process = self._process
        if process is None or process.is_alive():
            return None
        code = process.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return f"the analysis worker process stopped ({how}); the next frame starts a new one"

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(OSError):  # already gone: nothing to tell it
                    self._conn.send(None)
                self._conn.close()
                self._conn = None
            if self._process is not None:
                self._process.join(timeout=5)
                if self._process.is_alive():
                    self._process.kill()
                self._process = None
