"""The device's frames: a live source that drops is reopened with backoff; a file's end or error ends it."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from smartdoor.server.device_source import device_frames
from smartdoor.vision.sources import CameraSpec, Frame, SourceError

pytestmark = pytest.mark.unit


class ScriptedSource:
    """Gives ``count`` frames, each filled with its number, then drops (raises) or ends."""

    fps = 0.0

    def __init__(self, start: int, count: int, drops: bool) -> None:
        self.start, self.count, self.drops = start, count, drops
        self.closed = False

    def frames(self) -> Iterator[Frame]:
        for n in range(self.start, self.start + self.count):
            yield np.full((2, 2, 3), n, np.uint8)
        if self.drops:
            raise SourceError("the stream stopped giving frames")

    def close(self) -> None:
        self.closed = True


def numbers(frames: Iterator[Frame]) -> list[int]:
    return [int(f[0, 0, 0]) for f in frames]


def test_a_dropped_stream_is_reopened_and_goes_on() -> None:
    first = ScriptedSource(0, 2, drops=True)
    reopened: list[SourceError | ScriptedSource] = [SourceError("not yet"), ScriptedSource(2, 2, drops=False)]
    opened: list[ScriptedSource] = []

    def opener(spec: CameraSpec) -> ScriptedSource:
        step = reopened.pop(0)
        if isinstance(step, SourceError):
            raise step
        opened.append(step)
        return step

    out = io.StringIO()
    spec = CameraSpec("door", "rtsp://127.0.0.1/door")
    got = numbers(device_frames(spec, first, threading.Event(), opener, 0.001, 0.002, out=out))
    assert got == [0, 1, 2, 3]
    assert first.closed
    assert opened[0].closed
    assert out.getvalue().splitlines() == [
        "rtsp://127.0.0.1/door: the stream stopped giving frames; reopening in 0 s",
        "rtsp://127.0.0.1/door: not yet; reopening in 0 s",
    ]


def test_a_file_that_breaks_is_not_reopened() -> None:
    first = ScriptedSource(0, 1, drops=True)

    def opener(spec: CameraSpec) -> ScriptedSource:
        raise AssertionError("a file is not reopened")

    frames = device_frames(CameraSpec("door", "clip.mp4"), first, threading.Event(), opener)
    assert int(next(frames)[0, 0, 0]) == 0
    with pytest.raises(SourceError):
        next(frames)
    assert first.closed


def test_a_stop_ends_the_reopening() -> None:
    stop = threading.Event()
    first = ScriptedSource(0, 1, drops=True)

    def opener(spec: CameraSpec) -> ScriptedSource:
        stop.set()  # stopped while the camera is away
        raise SourceError("unplugged")

    got = numbers(
        device_frames(CameraSpec("door", "0"), first, stop, opener, 0.001, 0.002, out=io.StringIO())
    )
    assert got == [0]
