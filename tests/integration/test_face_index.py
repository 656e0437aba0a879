"""The local face index keeps working whatever was stored: bad descriptors are refused, bad rows skipped."""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import pytest

from smartdoor.adapters.local.database import Database, to_micros
from smartdoor.adapters.local.face_index import LocalFaceIndex
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.stores import MemoryFaceIndex
from smartdoor.domain.errors import BadFaceEvent
from smartdoor.domain.model import BoundingBox, DetectedFace
from smartdoor.ports import FaceIndex
from smartdoor.vision.analyser import FaceAnalyser

pytestmark = pytest.mark.integration


def real_descriptor(path: Path) -> tuple[float, ...]:
    analyser = FaceAnalyser()
    bgr = cv2.imread(str(path))
    assert bgr is not None, path
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    [box] = analyser.detect_in_photo(rgb)
    return tuple(float(v) for v in analyser.describe(rgb, box))


def face(descriptor: tuple[float, ...] | None) -> DetectedFace:
    return DetectedFace(BoundingBox(0.25, 0.25, 0.5, 0.5), 99.5, descriptor=descriptor)


@pytest.fixture(params=["memory", "sqlite"])
def index(request: pytest.FixtureRequest, clock: ManualClock) -> FaceIndex:
    if request.param == "memory":
        return MemoryFaceIndex()
    return LocalFaceIndex(request.getfixturevalue("db"), SequentialIds("face"), clock)


@pytest.mark.parametrize(
    ("descriptor", "reason"),
    [((0.1,) * 127, "has 127 values"), ((0.1,) * 127 + (float("nan"),), "not finite")],
)
def test_a_bad_descriptor_is_refused_and_not_stored(
    index: FaceIndex, descriptor: tuple[float, ...], reason: str
) -> None:
    with pytest.raises(BadFaceEvent, match=reason):
        index.index_face(face(descriptor), None)
    assert index.index_face(face((0.1,) * 128), None)  # the index still takes good ones


def test_a_bad_stored_row_is_skipped_and_reported_once(
    db: Database, clock: ManualClock, testdata: Path, caplog: pytest.LogCaptureFixture
) -> None:
    obama = real_descriptor(testdata / "faces" / "faces" / "obama" / "fr_obama.jpg")
    first = LocalFaceIndex(db, SequentialIds("face"), clock)
    known = first.index_face(face(obama), None)
    # GIVEN a row no search can use, written as an older version or a broken writer would have written it
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO faces (face_id, descriptor, created_at) VALUES (?, ?, ?)",
            ("face-bad", np.zeros(3, np.float32).tobytes(), to_micros(clock.now())),
        )
        conn.execute("UPDATE faces_version SET version = version + 1")
    # WHEN the server restarts (a new index over the same file) and a real face arrives
    restarted = LocalFaceIndex(db, SequentialIds("other"), clock)
    again = real_descriptor(testdata / "faces" / "faces" / "obama" / "fr_obama2.jpg")
    with caplog.at_level(logging.WARNING):
        result = restarted.search(again)
        restarted.index_face(face(again), None)  # a change: the next search reloads
        restarted.search(again)
    # THEN it is recognised, and the bad row was reported once, by its id
    assert result.verdict == "known"
    assert result.match is not None
    assert result.match.face_id == known
    reports = [r for r in caplog.records if "face-bad" in r.getMessage()]
    assert len(reports) == 1
    assert "3 values" in reports[0].getMessage() or "12 bytes" in reports[0].getMessage()


def test_similar_faces_are_the_others_of_the_same_person(index: FaceIndex) -> None:
    ada, eve = (0.05,) * 128, (-0.05,) * 128
    first = index.index_face(face(ada), None)
    second = index.index_face(face(ada), None)
    index.index_face(face(eve), None)
    index.index_face(face(None), None)  # no descriptor: never anyone's look-alike
    [match] = index.similar_faces(second, 90.0)
    assert (match.face_id, match.similarity) == (first, 100.0)
    assert index.similar_faces("face-unknown", 90.0) == ()


def test_a_visitors_faces_are_one_identity_and_owner_changes_need_no_reload(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smartdoor.adapters.local.sqlite_face_owners import SqliteFaceOwners
    from smartdoor.domain.model import FaceOwner, OwnedFace

    index = LocalFaceIndex(db, SequentialIds("face"), clock)
    owners = SqliteFaceOwners(db, index)
    ada = np.full(128, 0.05, np.float32)
    first = index.index_face(face(tuple(float(v) for v in ada)), None)
    second = index.index_face(face(tuple(float(v) for v in ada + 0.001)), None)
    # Two ownerless faces this close are two identities too close to tell apart: unsure
    assert index.search(ada).verdict == "unsure"
    reloads: list[int] = []
    real_reload = index._reload

    def counted(version: int) -> None:
        reloads.append(version)
        real_reload(version)

    monkeypatch.setattr(index, "_reload", counted)
    for face_id in (first, second):
        owners.add(OwnedFace(face_id, FaceOwner.visitor("v1"), clock.now()))
    # One visitor's two faces: one identity, known, and this process's own change needed no reload
    found = index.search(ada)
    assert (found.verdict, found.match and found.match.face_id) == ("known", first)
    assert reloads == []
