"""Run each camera: a reader thread keeps only the newest frame; an analysis thread takes it when free.

So when analysis falls behind, old frames are dropped and counted, never queued. A live source (webcam,
stream) that drops is reported and reopened with exponential backoff, for as long as the server runs; one
that never opened gives up after ``open_retries`` tries. A file or folder that cannot be opened fails at
once: retrying would not make it appear. Either way the camera's state says "failed" and why; it never
takes the server down.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from smartdoor.vision.pipeline import FacePipeline
from smartdoor.vision.sources import CameraSource, CameraSpec, Frame, SourceError, open_source, paced

log = logging.getLogger(__name__)


class LatestFrame:
    """A one-frame mailbox: a new frame replaces an unread one (which counts as dropped)."""

    def __init__(self) -> None:
        self._frame: tuple[Frame, datetime] | None = None
        self._ready = threading.Condition()
        self.dropped = 0
        self.closed = False

    def put(self, frame: Frame, at: datetime) -> None:
        with self._ready:
            if self._frame is not None:
                self.dropped += 1
            self._frame = (frame, at)
            self._ready.notify()

    def take(self, timeout: float) -> tuple[Frame, datetime] | None:
        with self._ready:
            if self._frame is None and not self.closed:
                self._ready.wait(timeout)
            frame, self._frame = self._frame, None
            return frame

    def close(self) -> None:
        with self._ready:
            self.closed = True
            self._ready.notify_all()


@dataclass
class CameraStatus:
    camera_id: str
    source: str
    state: str = "starting"  # starting | running | retrying | ended | failed | stopped
    error: str | None = None
    frames_read: int = 0
    retries: int = 0


class CameraRunner:
    def __init__(
        self,
        spec: CameraSpec,
        pipeline: FacePipeline,
        now: Callable[[], datetime],
        realtime: bool = True,
        opener: Callable[[CameraSpec], CameraSource] = open_source,
        first_backoff: float = 1.0,
        max_backoff: float = 30.0,
        open_retries: int = 5,
    ) -> None:
        self.spec = spec
        self.pipeline = pipeline
        self.status = CameraStatus(spec.camera_id, spec.source)
        self.mailbox = LatestFrame()
        self._now = now
        self._realtime = realtime
        self._opener = opener
        self._first_backoff = first_backoff
        self._max_backoff = max_backoff
        self._open_retries = open_retries
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._read, name=f"camera-{spec.camera_id}-read", daemon=True),
            threading.Thread(target=self._analyse, name=f"camera-{spec.camera_id}-analyse", daemon=True),
        ]
        self._reader_done = threading.Event()

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.mailbox.close()
        for thread in self._threads:
            thread.join(timeout)
        if self.status.state not in ("ended", "failed"):
            self.status.state = "stopped"

    def wait_until_done(self, timeout: float) -> bool:
        """For finite sources (a file, a folder): wait until every frame read was analysed or dropped."""
        finished = self._reader_done.wait(timeout)
        for thread in self._threads[1:]:
            thread.join(timeout)
        return finished

    def _read(self) -> None:
        backoff = self._first_backoff
        opened_once, failed_opens = False, 0
        try:
            while not self._stop.is_set():
                try:
                    source = self._opener(self.spec)
                except SourceError as exc:
                    failed_opens += 1
                    if self.spec.is_local or (not opened_once and failed_opens > self._open_retries):
                        self._fail(f"cannot open: {exc}")
                        return
                    backoff = self._retry(f"cannot open: {exc}", backoff)
                    continue
                opened_once, failed_opens = True, 0
                try:
                    self.status.state, self.status.error = "running", None
                    for frame in paced(source.frames(), source.fps, self._realtime):
                        if self._stop.is_set():
                            return
                        self.status.frames_read += 1
                        self.mailbox.put(frame, self._now())
                        backoff = self._first_backoff
                except SourceError as exc:
                    backoff = self._retry(str(exc), backoff)
                    continue
                finally:
                    source.close()
                if not self.spec.loop:
                    self.status.state = "ended"
                    log.info("camera %s: the video ended", self.spec.camera_id)
                    return
        finally:
            self._reader_done.set()
            self.mailbox.close()

    def _fail(self, error: str) -> None:
        self.status.state, self.status.error = "failed", error
        log.error("camera %s: %s; giving up (restart the server to try again)", self.spec.camera_id, error)

    def _retry(self, error: str, backoff: float) -> float:
        self.status.state, self.status.error = "retrying", error
        self.status.retries += 1
        log.warning("camera %s: %s; retrying in %.1f s", self.spec.camera_id, error, backoff)
        self._stop.wait(backoff)
        return min(backoff * 2, self._max_backoff)

    def _analyse(self) -> None:
        while True:
            item = self.mailbox.take(timeout=0.5)
            if item is None:
                if self.mailbox.closed:
                    return
                continue
            frame, at = item
            try:
                self.pipeline.process(self.spec.camera_id, frame, at)
            except Exception:  # one bad frame or a core error must not stop the camera
                log.exception("camera %s: a frame could not be handled", self.spec.camera_id)
            self.pipeline.stats.add(dropped=self._drain_dropped())

    def _drain_dropped(self) -> int:
        dropped, self.mailbox.dropped = self.mailbox.dropped, 0
        return dropped
