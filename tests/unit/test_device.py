"""The device's send loop on a scripted detector and a fake API: retries, refusals, a full queue, stop."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.server.device import EXIT_FORBIDDEN, Device, RetryPolicy
from smartdoor.server.frame_uploads import DeviceForbidden, FrameUpload, UploadRefused, UploadUnavailable
from smartdoor.vision.analyser import AnalyserSettings, FaceBox, Image
from smartdoor.vision.device_gate import FrameGate
from smartdoor.vision.sources import Frame
from tests.waiting import wait_until

pytestmark = pytest.mark.unit

START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FAST = RetryPolicy(attempts=3, first_backoff=0.001, max_backoff=0.002)


class ScriptedDetector:
    """Frame n shows the faces script[n]; every face is sharp."""

    settings = AnalyserSettings()

    def __init__(self, script: list[list[FaceBox]]) -> None:
        self._script = iter(script)

    def detect(self, rgb: Image) -> list[FaceBox]:
        return next(self._script)

    def sharpness(self, rgb: Image, box: FaceBox) -> float:
        return 100.0


class FakeApi:
    """Answers each step from its script (an exception to raise, or None for success); records the uploads."""

    camera_id = "door"

    def __init__(
        self, grants: list[Exception | None] | None = None, posts: list[Exception | None] | None = None
    ):
        self.grants, self.posts = list(grants or []), list(posts or [])
        self.granted: list[datetime] = []
        self.uploaded: list[bytes] = []
        self.release = threading.Event()
        self.release.set()
        self.posting = threading.Event()

    def request_upload(self, taken_at: datetime) -> FrameUpload:
        if self.grants and (failure := self.grants.pop(0)) is not None:
            raise failure
        self.granted.append(taken_at)
        return FrameUpload("http://upload", {"key": "k"}, "k", START + timedelta(hours=1), 1_000_000)

    def post_frame(self, upload: FrameUpload, jpeg: bytes) -> None:
        self.posting.set()
        assert self.release.wait(10)
        if self.posts and (failure := self.posts.pop(0)) is not None:
            raise failure
        self.uploaded.append(jpeg)


def face(x: int = 100) -> list[FaceBox]:
    return [FaceBox(x, 100, x + 100, 200, 2.0)]


def frames(count: int) -> Iterator[Frame]:
    for _ in range(count):
        yield np.zeros((240, 320, 3), np.uint8)


def device(api: FakeApi, script: list[list[FaceBox]], queue_cap: int = 2) -> tuple[Device, io.StringIO]:
    out = io.StringIO()
    gate = FrameGate(analyser=ScriptedDetector(script))
    return Device(api, gate, ManualClock(START).now, out=out, queue_cap=queue_cap, retry=FAST), out


def test_only_the_first_frame_of_a_face_is_uploaded() -> None:
    api = FakeApi()
    dev, out = device(api, [[], [], face(), face(), face(), []])
    assert dev.run(frames(6)) == 0
    assert len(api.uploaded) == 1
    assert api.uploaded[0].startswith(b"\xff\xd8")
    assert (dev.counts.sent, dev.gate.gate.counts.no_face, dev.gate.gate.counts.already_sent) == (1, 3, 2)
    assert "stopped: frames 6, tracks 1, sent 1, refused 0, dropped 0, failed 0" in out.getvalue()


def test_a_transient_failure_is_retried_and_the_frame_sent_once() -> None:
    api = FakeApi(
        grants=[UploadUnavailable("rate limited", retry_after=0.001)], posts=[UploadUnavailable("503")]
    )
    dev, out = device(api, [face()])
    assert dev.run(frames(1)) == 0
    assert (len(api.uploaded), dev.counts.sent, dev.counts.failed) == (1, 1, 0)
    assert "retrying in" in out.getvalue()


def test_a_frame_that_fails_every_try_is_given_up_and_counted() -> None:
    api = FakeApi(posts=[UploadUnavailable("503")] * 3)
    dev, _ = device(api, [face()])
    assert dev.run(frames(1)) == 0
    assert (len(api.uploaded), dev.counts.failed) == (0, 1)


def test_a_refused_frame_is_not_retried() -> None:
    api = FakeApi(posts=[UploadRefused("413")])
    dev, _ = device(api, [face()])
    assert dev.run(frames(1)) == 0
    assert (len(api.granted), len(api.uploaded), dev.counts.refused) == (1, 0, 1)


def test_forbidden_stops_the_device_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    api = FakeApi(grants=[DeviceForbidden("the API refused the device token")])
    dev, _ = device(api, [face()] + [[]] * 10)

    def then_more() -> Iterator[Frame]:
        source = frames(11)
        yield next(source)
        assert dev.stop.wait(10)  # the refused grant stops the device...
        yield from source

    assert dev.run(then_more()) == EXIT_FORBIDDEN
    assert dev.gate.gate.counts.frames == 1  # ...which reads no further frame
    assert capsys.readouterr().err.strip().splitlines() == [
        "smartdoor device: the API refused the device token for camera door; stopping"
    ]


def test_when_the_queue_is_full_the_newest_frame_is_dropped_and_counted() -> None:
    api = FakeApi()
    api.release.clear()  # the first upload hangs until the test lets it go
    script = [
        face(0),
        face(0) + face(300),
        face(0)
        + face(300)
        + face(
            600,
        ),
    ]
    dev, _ = device(api, script, queue_cap=1)

    def paced() -> Iterator[Frame]:
        source = frames(3)
        yield next(source)  # a new face: taken by the upload thread, which hangs in its POST
        assert api.posting.wait(10)
        yield next(source)  # a second new face: queued (the queue holds one)
        yield next(source)  # a third: the queue is full, so it is dropped
        assert wait_until(lambda: dev.counts.dropped == 1, 10)
        api.release.set()

    assert dev.run(paced()) == 0
    assert (len(api.uploaded), dev.counts.sent, dev.counts.dropped) == (2, 2, 1)
