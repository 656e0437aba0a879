"""Cameras: files end, streams drop and come back, bad files are skipped, nothing crashes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from smartdoor.vision.cameras import CameraRunner, LatestFrame
from smartdoor.vision.frames import BadFrame, decode_jpeg
from smartdoor.vision.sources import CameraSpec, ImageFolderSource, SourceError, open_source

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class RecordingPipeline:
    """Stands in for FacePipeline: records what reached analysis."""

    def __init__(self) -> None:
        from smartdoor.vision.pipeline import PipelineStats

        self.stats = PipelineStats()
        self.seen: list[int] = []
        self.release = threading.Event()
        self.release.set()

    def process(self, camera_id: str, frame: np.ndarray, at: datetime) -> list[object]:
        self.release.wait(10)
        self.seen.append(int(frame[0, 0, 0]))
        return []


def test_camera_spec_parsing() -> None:
    assert CameraSpec.parse("door=rtsp://cam/stream", 1) == CameraSpec("door", "rtsp://cam/stream")
    assert CameraSpec.parse("rtsp://user:pw@cam/stream", 2) == CameraSpec(
        "camera-2", "rtsp://user:pw@cam/stream"
    )
    assert CameraSpec.parse("clip.mp4#loop", 3) == CameraSpec("camera-3", "clip.mp4", loop=True)
    assert CameraSpec.parse("0", 4) == CameraSpec("camera-4", "0")
    with pytest.raises(ValueError, match="names no source"):
        CameraSpec.parse("door=", 5)
    # The core refuses face events from a camera named otherwise, so such a name fails at start-up.
    with pytest.raises(ValueError, match="must be 1-256 letters"):
        CameraSpec.parse("front door=0", 6)


def test_which_sources_are_local_files_and_which_live(tmp_path: Path) -> None:
    assert CameraSpec("c", "clip.mp4").is_local
    assert CameraSpec("c", str(tmp_path)).is_local
    for live in ("0", "rtsp://cam/stream", "http://cam/mjpg", "/dev/video9"):
        assert not CameraSpec("c", live).is_local, live
    # Only a local path is refused at start; a webcam may be plugged in or free up later.
    assert CameraSpec("c", str(tmp_path / "gone.mp4")).missing() is not None
    assert CameraSpec("c", str(tmp_path)).missing() is None
    assert CameraSpec("c", "/dev/video9").missing() is None


def test_a_missing_source_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no webcam index, URL, video file or image folder"):
        open_source(CameraSpec("c", str(tmp_path / "nothing-here")))
    with pytest.raises(SourceError, match="holds no images"):
        open_source(CameraSpec("c", str(tmp_path)))


def test_an_image_folder_skips_unreadable_files(tmp_path: Path, face_jpeg: bytes) -> None:
    (tmp_path / "1.jpg").write_bytes(face_jpeg)
    (tmp_path / "2.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    (tmp_path / "3.png").write_bytes(b"plain text")
    (tmp_path / "notes.txt").write_text("ignored")
    frames = list(ImageFolderSource(tmp_path).frames())
    assert len(frames) == 1


def test_a_video_file_ends_and_the_runner_says_so(testdata: Path) -> None:
    pipeline = RecordingPipeline()
    spec = CameraSpec("door", str(testdata / "faces" / "door.mp4"))
    runner = CameraRunner(spec, pipeline, lambda: NOW, realtime=False)  # type: ignore[arg-type]
    runner.start()
    assert runner.wait_until_done(timeout=60)
    runner.stop()
    assert runner.status.state == "ended"
    assert runner.status.frames_read == 100
    assert len(pipeline.seen) + pipeline.stats.dropped == 100


class FlakySource:
    """Gives two frames, then drops like a lost RTSP stream."""

    fps = 0.0

    def __init__(self, first: int) -> None:
        self.first = first

    def frames(self) -> Iterator[np.ndarray]:
        for n in (self.first, self.first + 1):
            yield np.full((4, 4, 3), n, np.uint8)
        raise SourceError("the stream stopped giving frames")

    def close(self) -> None:
        pass


def test_a_dropped_stream_is_retried_with_backoff_and_comes_back() -> None:
    opened: list[int] = []

    def opener(spec: CameraSpec) -> FlakySource:
        opened.append(len(opened))
        if len(opened) == 2:
            raise SourceError("connection refused")
        return FlakySource(first=10 * len(opened))

    pipeline = RecordingPipeline()
    runner = CameraRunner(
        CameraSpec("cam", "rtsp://camera.invalid/s"),
        pipeline,  # type: ignore[arg-type]
        lambda: NOW,
        opener=opener,
        first_backoff=0.01,
        max_backoff=0.05,
    )
    runner.start()
    pause = threading.Event()
    for _ in range(400):  # bounded wait for four opens: drop, refused, drop, ...
        if len(opened) >= 4 and runner.status.retries >= 3:
            break
        pause.wait(0.05)
    runner.stop()
    assert len(opened) >= 4
    assert runner.status.retries >= 3
    assert runner.status.state == "stopped"
    # Frames from before the outage and after the camera came back both reached analysis.
    assert set(pipeline.seen) & {10, 11}
    assert set(pipeline.seen) & {30, 31}


class CountingOpener:
    """open_source, or a stand-in that always refuses, counting the tries."""

    def __init__(self, refuse: str | None = None, first: FlakySource | None = None) -> None:
        self.calls = 0
        self.refuse = refuse
        self.first = first

    def __call__(self, spec: CameraSpec) -> FlakySource:
        self.calls += 1
        if self.first is not None and self.calls == 1:
            return self.first
        if self.refuse is not None:
            raise SourceError(self.refuse)
        return open_source(spec)  # type: ignore[return-value]


def test_a_video_file_that_does_not_exist_fails_at_once(tmp_path: Path) -> None:
    opener = CountingOpener()
    spec = CameraSpec("door", str(tmp_path / "gone.mp4"))
    runner = CameraRunner(spec, RecordingPipeline(), lambda: NOW, opener=opener)  # type: ignore[arg-type]
    runner.start()
    assert runner.wait_until_done(timeout=10)  # not retried forever
    runner.stop()
    assert opener.calls == 1
    assert runner.status.state == "failed"
    assert runner.status.error == (
        f"cannot open: {str(tmp_path / 'gone.mp4')!r} is no webcam index, URL, video file or image folder"
    )
    assert runner.status.retries == 0


def test_an_image_folder_without_images_fails_at_once(tmp_path: Path) -> None:
    opener = CountingOpener()
    runner = CameraRunner(
        CameraSpec("porch", str(tmp_path)),
        RecordingPipeline(),  # type: ignore[arg-type]
        lambda: NOW,
        opener=opener,
    )
    runner.start()
    assert runner.wait_until_done(timeout=10)
    runner.stop()
    assert (opener.calls, runner.status.state) == (1, "failed")
    assert runner.status.error is not None
    assert "holds no images" in runner.status.error


def test_a_stream_that_never_opens_gives_up_after_the_retries() -> None:
    opener = CountingOpener(refuse="connection refused")
    runner = CameraRunner(
        CameraSpec("cam", "rtsp://camera.invalid/s"),
        RecordingPipeline(),  # type: ignore[arg-type]
        lambda: NOW,
        opener=opener,
        first_backoff=0.01,
        max_backoff=0.02,
        open_retries=3,
    )
    runner.start()
    assert runner.wait_until_done(timeout=10)
    runner.stop()
    assert opener.calls == 4  # the first try and three retries
    assert runner.status.retries == 3
    assert (runner.status.state, runner.status.error) == ("failed", "cannot open: connection refused")


def test_a_stream_that_worked_keeps_reconnecting_past_the_retries() -> None:
    opener = CountingOpener(refuse="connection refused", first=FlakySource(first=1))
    runner = CameraRunner(
        CameraSpec("cam", "rtsp://camera.invalid/s"),
        RecordingPipeline(),  # type: ignore[arg-type]
        lambda: NOW,
        opener=opener,
        first_backoff=0.01,
        max_backoff=0.02,
        open_retries=1,
    )
    runner.start()
    pause = threading.Event()
    for _ in range(400):  # bounded wait for well past the retries of a camera that never opened
        if runner.status.retries >= 6:
            break
        pause.wait(0.05)
    state = runner.status.state
    runner.stop()
    assert runner.status.retries >= 6
    assert state == "retrying"
    assert runner.status.state == "stopped"


def test_latest_frame_drops_and_counts_old_frames() -> None:
    box = LatestFrame()
    for n in range(5):
        box.put(np.full((2, 2, 3), n, np.uint8), NOW)
    item = box.take(timeout=0.1)
    assert item is not None
    assert int(item[0][0, 0, 0]) == 4
    assert box.dropped == 4
    assert box.take(timeout=0.01) is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"GIF89a....", "not a JPEG"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "corrupt"),
    ],
)
def test_bad_frames_are_refused_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(BadFrame, match=reason):
        decode_jpeg(body)


def test_a_truncated_jpeg_is_refused(face_jpeg: bytes) -> None:
    with pytest.raises(BadFrame, match="corrupt"):
        decode_jpeg(face_jpeg[:200])


def test_a_huge_image_is_refused_before_decoding() -> None:
    ok, huge = cv2.imencode(".jpg", np.zeros((5000, 5000, 3), np.uint8))
    assert ok
    with pytest.raises(BadFrame, match="too large"):
        decode_jpeg(huge.tobytes())
