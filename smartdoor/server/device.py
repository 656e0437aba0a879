"""`smartdoor device`: a webcam (or a video file, or a stream) as a door's device.

The reading thread runs the gate on every frame and queues only the frames in which a new face track begins;
one upload thread sends them. The queue is small and never waits: when it is full the newest frame is
dropped and counted, so a slow network never holds up the camera or piles frames up in memory.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TextIO

from smartdoor.server.frame_uploads import DeviceForbidden, FrameUpload, UploadRefused, UploadUnavailable
from smartdoor.vision.device_gate import FrameGate, jpeg_within
from smartdoor.vision.sources import Frame

EXIT_FORBIDDEN = 2
# A grant that runs out this soon is not used for a retry: a new one is asked for instead.
GRANT_MARGIN_SECONDS = 5.0


class UploadApi(Protocol):
    """FrameUploadApi's two steps (a test's fake scripts their answers)."""

    @property
    def camera_id(self) -> str: ...
    def request_upload(self, taken_at: datetime) -> FrameUpload: ...
    def post_frame(self, upload: FrameUpload, jpeg: bytes) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # tries of one frame, the first included, before it is given up as failed
    first_backoff: float = 0.5
    max_backoff: float = 15.0
    max_wait: float = 60.0  # the longest a RATE_LIMITED answer makes the device wait

    def delay(self, attempt: int, asked: float | None) -> float:
        if asked is not None:
            return min(asked, self.max_wait)
        return min(self.first_backoff * 2.0 ** (attempt - 1), self.max_backoff)


@dataclass
class DeviceCounts:
    sent: int = 0
    refused: int = 0
    dropped: int = 0  # queue full: a newer frame was not queued
    failed: int = 0  # transient failures on every try; the frame was given up
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


@dataclass(frozen=True)
class Pending:
    frame: Frame
    taken_at: datetime


class Device:
    def __init__(
        self,
        api: UploadApi,
        gate: FrameGate,
        now: Callable[[], datetime],
        out: TextIO | None = None,
        queue_cap: int = 2,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.api = api
        self.gate = gate
        self.counts = DeviceCounts()
        self.stop = threading.Event()
        self.forbidden: str | None = None
        self._now = now
        self._out = out
        self._queue: queue.Queue[Pending] = queue.Queue(maxsize=queue_cap)
        self._retry = retry or RetryPolicy()
        self._reading_done = threading.Event()
        self._print_lock = threading.Lock()

    def run(self, frames: Iterable[Frame]) -> int:
        """Gate and send until the frames end or stop is set: 0, or EXIT_FORBIDDEN (the token refused)."""
        sender = threading.Thread(target=self._send_all, name="device-upload", daemon=True)
        sender.start()
        try:
            for frame in frames:
                if self.stop.is_set():
                    break
                self._consider(frame)
        finally:
            self._reading_done.set()
            sender.join()
        if self.forbidden is not None:
            self._print(f"smartdoor device: {self.forbidden}; stopping", error=True)
            return EXIT_FORBIDDEN
        self._print(f"stopped: {self.status()}")
        return 0

    def status(self) -> str:
        g, c = self.gate.gate.counts, self.counts
        return (
            f"frames {g.frames}, tracks {g.tracks}, sent {c.sent}, refused {c.refused}, dropped {c.dropped},"
            f" failed {c.failed}; kept back: no face {g.no_face}, already sent {g.already_sent},"
            f" blurred {g.blurred}"
        )

    def _consider(self, frame: Frame) -> None:
        taken_at = self._now()
        tracks_before = self.gate.gate.counts.tracks
        decision = self.gate.decide(frame, taken_at.timestamp())
        if decision.send:
            try:
                self._queue.put_nowait(Pending(frame, taken_at))
            except queue.Full:
                self.counts.add("dropped")
                self._print(f"dropped a new face's frame (uploads are behind): {self.status()}")
        elif self.gate.gate.counts.tracks != tracks_before:
            self._print(f"new face track, frame kept back ({decision.reason}): {self.status()}")

    def _send_all(self) -> None:
        while True:
            try:
                pending = self._queue.get(timeout=0.2)
            except queue.Empty:
                if self._reading_done.is_set() or self.stop.is_set():
                    return
                continue
            if self.stop.is_set():
                self.counts.add("dropped")  # stopping: what is still queued is not sent
                continue
            try:
                outcome = self._send(pending)
            except DeviceForbidden as exc:
                self.forbidden = f"{exc} for camera {self.api.camera_id}"
                self.stop.set()
                return
            self.counts.add(outcome)
            self._print(f"frame {outcome}: {self.status()}")

    def _send(self, pending: Pending) -> str:
        """One frame through grant and POST, retried on transient failures; the count it adds to."""
        grant: FrameUpload | None = None
        for attempt in range(1, self._retry.attempts + 1):
            try:
                if grant is None or (grant.expires_at - self._now()).total_seconds() < GRANT_MARGIN_SECONDS:
                    grant = self.api.request_upload(pending.taken_at)
                jpeg = jpeg_within(pending.frame, grant.max_bytes)
                if jpeg is None:
                    return "refused"  # larger than the grant allows even at the lowest quality
                self.api.post_frame(grant, jpeg)
                return "sent"
            except UploadRefused as exc:
                self._print(f"a frame was refused: {exc}")
                return "refused"
            except UploadUnavailable as exc:
                if attempt == self._retry.attempts:
                    self._print(f"a frame was given up after {attempt} tries: {exc}")
                    return "failed"
                wait = self._retry.delay(attempt, exc.retry_after)
                self._print(f"{exc}; retrying in {wait:.1f} s")
                if self.stop.wait(wait):
                    return "failed"
        return "failed"

    def _print(self, line: str, error: bool = False) -> None:
        with self._print_lock:
            stream = sys.stderr if error else (self._out or sys.stdout)
            print(line, file=stream, flush=True)
