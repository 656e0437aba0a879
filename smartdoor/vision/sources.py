"""Camera sources: a webcam index, a video file (optionally looping), an RTSP/HTTP stream, an image folder."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt

from smartdoor.edges.face_records import CAMERA_ID_RULE, is_camera_id

log = logging.getLogger(__name__)

Frame = npt.NDArray[Any]  # BGR uint8, as OpenCV reads it
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


class SourceError(Exception):
    """The source cannot be opened or stopped giving frames; the reader retries with backoff."""


class CameraSource(Protocol):
    """Something that yields frames until it ends (a file) or fails (a dropped stream)."""

    fps: float  # the source's own rate; 0 when unknown (webcams, streams pace themselves)

    def frames(self) -> Iterator[Frame]: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class CameraSpec:
    camera_id: str
    source: str
    loop: bool = False

    @staticmethod
    def parse(text: str, index: int) -> CameraSpec:
        """`[ID=]SOURCE[#loop]`: `door=rtsp://…`, `0` (webcam), `clip.mp4#loop`, `photos/`."""
        loop = text.endswith("#loop")
        text = text.removesuffix("#loop")
        camera_id, sep, source = text.partition("=")
        if not sep or "://" in camera_id:
            camera_id, source = f"camera-{index}", text
        if not source:
            raise ValueError(f"camera {text!r} names no source")
        camera_id = camera_id.strip()
        # Checked here, at start-up: the core refuses every face event of a camera with another name.
        if not is_camera_id(camera_id):
            raise ValueError(f"camera id {camera_id!r} must be {CAMERA_ID_RULE}")
        return CameraSpec(camera_id, source.strip(), loop)

    @property
    def is_local(self) -> bool:
        """A file or folder here, not a webcam or a stream: if it cannot be opened, retrying will not help.
        (A device node such as /dev/video0 is a webcam: it can be busy, or plugged in later.)"""
        source = self.source
        return not source.isdigit() and "://" not in source and not source.startswith("/dev/")

    def missing(self) -> str | None:
        """Why this camera cannot work at all (a local path that is not there), or None."""
        if self.is_local and not Path(self.source).exists():
            return (
                f"camera {self.camera_id}: {self.source} does not exist "
                "(give a webcam index, a video file, an rtsp:// or http:// URL, or an image folder)"
            )
        return None


class CaptureSource:
    """cv2.VideoCapture over a webcam, a file or a network stream."""

    def __init__(self, target: str | int, is_file: bool) -> None:
        self._capture: Any = cv2.VideoCapture(target)
        if not self._capture.isOpened():
            raise SourceError(f"no video from {target!r}")  # the runner adds "cannot open: "
        self.fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0) if is_file else 0.0
        self._is_file = is_file

    def frames(self) -> Iterator[Frame]:
        while True:
            ok, frame = self._capture.read()
            if not ok or frame is None:
                if self._is_file:
                    return  # the video ended
                raise SourceError("the stream stopped giving frames")
            yield frame

    def close(self) -> None:
        self._capture.release()


class ImageFolderSource:
    """Every image in a folder, in name order; unreadable files are reported and skipped."""

    fps = 0.0

    def __init__(self, folder: Path) -> None:
        self._files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._files:
            raise SourceError(f"{folder} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")

    def frames(self) -> Iterator[Frame]:
        for path in self._files:
            frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if frame is None:
                log.warning("skipping %s: not a readable image", path)
                continue
            yield np.asarray(frame, dtype=np.uint8)

    def close(self) -> None:
        pass


def open_source(spec: CameraSpec) -> CameraSource:
    source = spec.source
    if source.isdigit():
        return CaptureSource(int(source), is_file=False)
    if "://" in source:
        return CaptureSource(source, is_file=False)
    path = Path(source)
    if path.is_dir():
        return ImageFolderSource(path)
    if path.is_file():
        return CaptureSource(str(path), is_file=True)
    raise SourceError(f"{source!r} is no webcam index, URL, video file or image folder")


def paced(frames: Iterator[Frame], fps: float, realtime: bool) -> Iterator[Frame]:
    """Play a file at its own rate when realtime (a camera would not deliver faster)."""
    if not realtime or fps <= 0:
        yield from frames
        return
    start = time.monotonic()
    for n, frame in enumerate(frames):
        delay = start + n / fps - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield frame
