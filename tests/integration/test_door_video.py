"""door.mp4 through the whole local pipeline: Obama (enrolled from other photos) gets exactly one SMS,
Biden becomes exactly one new sighting, empty frames do nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.bootstrap import LocalDoor, build_local, build_vision
from smartdoor.config import Settings
from smartdoor.domain.model import SightingStatus
from smartdoor.server.enroll import enroll_from_photos
from smartdoor.vision.service import Vision
from tests.video_frames import frames_of

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


@pytest.fixture
def door(tmp_path: Path) -> Iterator[tuple[LocalDoor, Vision, ManualClock]]:
    clock = ManualClock(START)
    local = build_local(Settings(data_dir=tmp_path / "data"), clock=clock)
    vision = build_vision(local, [], inline=True)
    yield local, vision, clock
    vision.stop()
    local.close()


def test_door_video(door: tuple[LocalDoor, Vision, ManualClock], testdata: Path) -> None:
    local, vision, clock = door
    faces = testdata / "faces" / "faces" / "obama"
    # GIVEN Obama enrolled from photos other than the one the video was made from
    others = [faces / "fr_obama2.jpg", faces / "fr_obama3.jpg", faces / "fr_knn_obama1.jpg"]
    log = io.StringIO()
    assert enroll_from_photos(local, "Barack", "+12025550111", others, out=log) == 0, log.getvalue()
    assert "Enrolled Barack" in log.getvalue()
    # WHEN the door camera plays the video at its 10 fps
    per_frame: list[int] = []
    for frame in frames_of(testdata / "faces" / "door.mp4"):
        created = vision.pipeline.process("front-door", frame, clock.now())
        per_frame.append(len(created))
        clock.advance(seconds=0.1)
    # THEN Obama got exactly one passcode SMS, Biden is exactly one new sighting, empty frames did nothing
    sms = local.outbox.list(kind="sms")
    assert [m.recipient for m in sms] == ["+12025550111"]
    sightings = local.door.sightings.list(None, 10, None).items
    assert sorted(s.status for s in sightings) == [SightingStatus.KNOWN, SightingStatus.PENDING]
    known = next(s for s in sightings if s.status is SightingStatus.KNOWN)
    pending = next(s for s in sightings if s.status is SightingStatus.PENDING)
    assert START + timedelta(seconds=2.0) <= known.created_at < START + timedelta(seconds=5.0)
    assert START + timedelta(seconds=6.0) <= pending.created_at < START + timedelta(seconds=9.0)
    assert len(local.outbox.list(kind="email")) == 1
    assert sum(per_frame[:20]) == sum(per_frame[50:60]) == sum(per_frame[90:]) == 0
    stats = vision.pipeline.stats.snapshot()
    assert stats["frames"] == 100
    # Described once per track plus the slow re-checks, never once per frame.
    assert stats["described"] < 15


def test_two_cameras_on_one_visit(door: tuple[LocalDoor, Vision, ManualClock], testdata: Path) -> None:
    """A front and a side camera see the same visit: still one SMS for Obama, one sighting for Biden."""
    local, vision, clock = door
    obama = testdata / "faces" / "faces" / "obama"
    others = [obama / "fr_obama2.jpg", obama / "fr_obama3.jpg", obama / "fr_knn_obama1.jpg"]
    assert enroll_from_photos(local, "Barack", "+12025550111", others, out=io.StringIO()) == 0
    for n, frame in enumerate(frames_of(testdata / "faces" / "door.mp4")):
        camera = "front" if n % 2 == 0 else "side"  # interleaved: each camera sees every other frame
        vision.pipeline.process(camera, frame, clock.now())
        clock.advance(seconds=0.1)
    assert [m.recipient for m in local.outbox.list(kind="sms")] == ["+12025550111"]
    sightings = local.door.sightings.list(None, 10, None).items
    assert sorted(s.status for s in sightings) == [SightingStatus.KNOWN, SightingStatus.PENDING]
    assert len(local.outbox.list(kind="email")) == 1
