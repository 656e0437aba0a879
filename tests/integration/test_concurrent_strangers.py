"""Real frames of one stranger at once, through SQLite and the local face index: one sighting, one email.

Each thread is one camera frame that missed the search (no match in its record), as two cameras or two
stream shards would deliver it; the descriptors are dlib's, from different photos of the same people.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest

from smartdoor.adapters.memory.clock_ids import ManualClock
from smartdoor.bootstrap import LocalDoor, build_local
from smartdoor.config import Settings
from smartdoor.domain.model import BoundingBox, DetectedFace, FaceEvent, Sighting, SightingStatus
from smartdoor.services.sightings import record_face_event
from smartdoor.vision.analyser import FaceAnalyser
from tests.api.conftest import START

pytestmark = pytest.mark.integration

BOX = BoundingBox(0.25, 0.25, 0.5, 0.5)
OBAMA = ("fr_obama.jpg", "fr_obama2.jpg", "fr_obama3.jpg", "fr_knn_obama1.jpg")
BIDEN = ("fr_biden.jpg", "fr_knn_biden2.jpg")


@cache
def descriptor(path: Path) -> tuple[float, ...]:
    analyser = FaceAnalyser()
    bgr = cv2.imread(str(path))
    assert bgr is not None, path
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    [box] = analyser.detect_in_photo(rgb)
    return tuple(float(v) for v in analyser.describe(rgb, box))


def photos(testdata: Path, person: str, names: tuple[str, ...]) -> list[tuple[float, ...]]:
    return [descriptor(testdata / "faces" / "faces" / person / name) for name in names]


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalDoor]:
    door = build_local(Settings(data_dir=tmp_path / "data"), clock=ManualClock(START))
    yield door
    door.close()


def frames_at_once(local: LocalDoor, descriptors: list[tuple[float, ...]]) -> list[Sighting]:
    start, made, failed = threading.Barrier(len(descriptors)), [], []

    def frame(n: int, face: tuple[float, ...]) -> None:
        at = local.door.clock.now()
        event = FaceEvent(f"camera-{n % 2}", at, (DetectedFace(BOX, 99.0, descriptor=face),), f"frame-{n}")
        start.wait(timeout=30)
        try:
            made.extend(record_face_event(local.door, event))
        except BaseException as exc:  # a failure in a thread must fail the test, not vanish
            failed.append(exc)

    threads = [threading.Thread(target=frame, args=(n, d)) for n, d in enumerate(descriptors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failed
    return made


def test_twenty_frames_of_one_stranger_make_one_sighting_and_one_email(
    local: LocalDoor, testdata: Path
) -> None:
    obama = photos(testdata, "obama", OBAMA)
    made = frames_at_once(local, [obama[n % len(obama)] for n in range(20)])
    assert len(made) == 1
    assert [s.id for s in local.door.sightings.list(SightingStatus.PENDING, 50, None).items] == [made[0].id]
    assert len(local.outbox.list(kind="email")) == 1
    # The losers' faces are gone from the index and from the ownership rows
    rows = local.database.connection().execute("SELECT face_id FROM face_owners").fetchall()
    assert rows == [(made[0].face_id,)]
    assert local.database.connection().execute("SELECT face_id FROM faces").fetchall() == rows


def test_two_strangers_at_once_make_two_sightings_and_two_emails(local: LocalDoor, testdata: Path) -> None:
    obama, biden = photos(testdata, "obama", OBAMA), photos(testdata, "biden", BIDEN)
    made = frames_at_once(local, [(obama[n % 4], biden[n % 2])[n % 2] for n in range(20)])
    assert len(made) == 2
    assert len(local.outbox.list(kind="email")) == 2
