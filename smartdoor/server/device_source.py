"""The device's frames: a file plays to its end; a webcam or stream that drops is reopened with backoff.

The first open is the caller's (a source that never opens is a mistake to report at once); after that a
live source that stops giving frames (unplugged, a network blip) is reopened, waiting 1 s doubling to 30 s,
until it works again or the device is stopped.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Generator
from typing import TextIO

from smartdoor.vision.sources import CameraSource, CameraSpec, Frame, SourceError, open_source


def device_frames(
    spec: CameraSpec,
    first: CameraSource,
    stop: threading.Event,
    opener: Callable[[CameraSpec], CameraSource] = open_source,
    first_backoff: float = 1.0,
    max_backoff: float = 30.0,
    out: TextIO | None = None,
) -> Generator[Frame, None, None]:
    source: CameraSource | None = first
    backoff = first_backoff
    while not stop.is_set():
        try:
            if source is None:
                source = opener(spec)
            for frame in source.frames():
                yield frame
                backoff = first_backoff
            return  # a file or a folder ended
        except SourceError as exc:
            if spec.is_local:
                raise  # a file that breaks will not mend
            print(f"{spec.source}: {exc}; reopening in {backoff:.0f} s", file=out or sys.stdout, flush=True)
        finally:
            if source is not None:
                source.close()
            source = None
        stop.wait(backoff)
        backoff = min(backoff * 2, max_backoff)
