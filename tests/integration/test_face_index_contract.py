"""One contract for the FaceIndex port, by face id only, kept by every implementation: the memory fake, the
local SQLite + numpy index, and Rekognition (over our fake, served through a real botocore client that
checks each request and answer against the service model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import pytest

from smartdoor.adapters.aws.rekognition_faces import RekognitionFaceIndex
from smartdoor.adapters.local.face_index import LocalFaceIndex
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.rekognition import FakeRekognition, MarkedImageCropper, SeenFace, marked_image
from smartdoor.adapters.memory.served_rekognition import served_by
from smartdoor.adapters.memory.stores import MemoryFaceIndex
from smartdoor.domain.model import BoundingBox, DetectedFace, FaceMatch

pytestmark = pytest.mark.integration

THRESHOLD = 90.0
BOX = BoundingBox(0.3, 0.2, 0.3, 0.4)
NEVER_INDEXED = "0badface-0000-4000-8000-000000000000"  # UUID-shaped: Rekognition's model wants that


class FaceIndex(Protocol):
    """The target port (see the module docstring)."""

    def index_face(self, face: DetectedFace, frame: bytes | None) -> str: ...
    def similar_faces(self, face_id: str, threshold: float) -> tuple[FaceMatch, ...]: ...
    def delete(self, face_ids: Iterable[str]) -> None: ...


@dataclass
class Subject:
    """An index and how a photo of person ``n`` looks to it (a descriptor, or a frame Rekognition reads)."""

    index: FaceIndex
    photo: Callable[[int], tuple[DetectedFace, bytes | None]]


def _by_descriptor(person: int) -> tuple[DetectedFace, bytes | None]:
    descriptor = tuple(1.0 if i == person else 0.0 for i in range(128))  # persons √2 apart
    return DetectedFace(BOX, 99.0, descriptor=descriptor), None


def _by_frame(person: int) -> tuple[DetectedFace, bytes | None]:
    return DetectedFace(BOX, 99.0), marked_image(SeenFace(BOX, (float(person),)))  # persons 1 apart


@pytest.fixture(params=["memory", "sqlite", "rekognition"])
def subject(request: pytest.FixtureRequest, clock: ManualClock) -> Subject:
    if request.param == "memory":
        return Subject(MemoryFaceIndex(), _by_descriptor)
    if request.param == "sqlite":
        local = LocalFaceIndex(request.getfixturevalue("db"), SequentialIds("face"), clock)
        return Subject(local, _by_descriptor)
    fake = FakeRekognition()
    fake.create_collection(CollectionId="door")
    return Subject(RekognitionFaceIndex(served_by(fake), "door", MarkedImageCropper()), _by_frame)


def _index(subject: Subject, person: int) -> str:
    return subject.index.index_face(*subject.photo(person))


def test_each_indexed_face_gets_its_own_id(subject: Subject) -> None:
    ids = [_index(subject, 1), _index(subject, 1), _index(subject, 2)]
    assert len(set(ids)) == 3
    assert all(isinstance(face_id, str) and face_id for face_id in ids)


def test_a_face_is_similar_to_the_same_person_s_other_faces_never_to_itself(subject: Subject) -> None:
    first, second = _index(subject, 1), _index(subject, 1)
    _index(subject, 2)

    matches = subject.index.similar_faces(second, THRESHOLD)

    assert [m.face_id for m in matches] == [first]
    assert all(THRESHOLD <= m.similarity <= 100.0 for m in matches)


def test_another_person_is_not_similar(subject: Subject) -> None:
    alone = _index(subject, 1)
    _index(subject, 2)
    _index(subject, 3)
    assert subject.index.similar_faces(alone, THRESHOLD) == ()


def test_deleted_faces_are_found_no_more_and_have_no_similar_faces(subject: Subject) -> None:
    kept, doomed, also_doomed = _index(subject, 1), _index(subject, 1), _index(subject, 1)

    subject.index.delete([doomed, also_doomed])

    assert subject.index.similar_faces(kept, THRESHOLD) == ()
    assert subject.index.similar_faces(doomed, THRESHOLD) == ()


def test_deleting_nothing_twice_or_what_was_never_indexed_is_fine(subject: Subject) -> None:
    face_id, other = _index(subject, 1), _index(subject, 1)
    subject.index.delete([])
    subject.index.delete([face_id, face_id, NEVER_INDEXED])
    subject.index.delete([face_id])
    assert subject.index.similar_faces(other, THRESHOLD) == ()
    assert subject.index.similar_faces(NEVER_INDEXED, THRESHOLD) == ()
