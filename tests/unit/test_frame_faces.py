"""The frame path's use case over memory fakes: an uploaded frame's faces, searched once, decided once,
with the upload itself as the sighting's photo."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest

from smartdoor.adapters.memory.frame_path import MemoryUploads, ScriptedFrameSearch
from smartdoor.domain.errors import BadFaceEvent, NotFound, StorageUnavailable
from smartdoor.domain.frame_images import MAX_FRAME_BYTES
from smartdoor.domain.frame_keys import frame_key, parse_frame_key
from smartdoor.domain.model import (
    BoundingBox,
    DetectedFace,
    DoorEventKind,
    FaceMatch,
    FaceOwner,
    OwnedFace,
    SightingStatus,
    Visitor,
)
from smartdoor.services.frame_faces import record_frame, record_uploaded_frame
from tests.unit.conftest import START, Fakes

JPEG = b"\xff\xd8\xff\xe0 a frame of two people"
KEY = frame_key("front-door", START - timedelta(seconds=3), "0123abcd")
LEFT, RIGHT = BoundingBox(0.1, 0.2, 0.3, 0.4), BoundingBox(0.6, 0.2, 0.3, 0.4)
ADA = Visitor("ada", "face-ada", "Ada", "+442079460958", (), START)


class NoFrameSource:
    """The frame path brings its frame: asking Kinesis Video for one by time would be a bug."""

    def frame_at(self, camera_id: str, at: datetime) -> bytes | None:
        raise AssertionError(f"the frame path fetched a frame of {camera_id} at {at}")


@dataclass
class FramePath:
    fakes: Fakes
    search: ScriptedFrameSearch
    uploads: MemoryUploads


@pytest.fixture
def path(fakes: Fakes) -> FramePath:
    search, uploads = ScriptedFrameSearch(), MemoryUploads()
    fakes.door = replace(fakes.door, frame_search=search, uploads=uploads, frames=NoFrameSource())
    # GIVEN Ada is registered, and the frame shows her beside a stranger
    fakes.visitors.add(ADA)
    fakes.owners.add(OwnedFace(ADA.face_id, FaceOwner.visitor(ADA.id), START))
    search.found[JPEG] = (
        DetectedFace(LEFT, 99.5, (FaceMatch(ADA.face_id, 99.0),)),
        DetectedFace(RIGHT, 98.0),
    )
    uploads.objects[KEY] = JPEG
    return FramePath(fakes, search, uploads)


def statuses(path: FramePath) -> list[SightingStatus]:
    return sorted(s.status for s in path.fakes.sightings.list(None, 100, None).items)


def test_each_face_of_an_uploaded_frame_is_decided_with_the_frame_as_its_photo(path: FramePath) -> None:
    created = record_uploaded_frame(path.fakes.door, KEY)

    assert path.search.searched == [(JPEG, path.fakes.door.policy.match_threshold)]
    assert [s.status for s in created] == [SightingStatus.KNOWN, SightingStatus.PENDING]
    assert {(s.camera_id, s.created_at) for s in created} == {("front-door", START - timedelta(seconds=3))}
    assert [s.phone_number for s in path.fakes.sms.sent] == [ADA.phone_number]
    assert [e.to for e in path.fakes.mailer.sent] == ["owner@example.com"]
    # the upload and each face cut out of it are the sightings' photos (MemoryCropper marks its crops)
    stored = path.fakes.photos.objects
    known, stranger = created
    assert known.photo is not None
    assert stored[known.photo.object_key] == JPEG
    assert stranger.face_photo is not None
    assert stored[stranger.face_photo.object_key] == b"face-of:" + JPEG


def test_a_frame_delivered_again_is_neither_searched_nor_acted_on_twice(path: FramePath) -> None:
    record_uploaded_frame(path.fakes.door, KEY)
    again = record_uploaded_frame(path.fakes.door, KEY)

    assert again == []
    assert len(path.search.searched) == 1
    assert statuses(path) == [SightingStatus.KNOWN, SightingStatus.PENDING]
    assert (len(path.fakes.sms.sent), len(path.fakes.mailer.sent)) == (1, 1)


def test_a_failed_search_gives_the_frame_back_and_its_retry_acts_once(path: FramePath) -> None:
    path.search.fail_next.append(StorageUnavailable("Rekognition throttled"))
    with pytest.raises(StorageUnavailable):
        record_uploaded_frame(path.fakes.door, KEY)
    assert statuses(path) == []

    record_uploaded_frame(path.fakes.door, KEY)  # Lambda's retry
    record_uploaded_frame(path.fakes.door, KEY)  # and a duplicate notification

    assert len(path.search.searched) == 2
    assert statuses(path) == [SightingStatus.KNOWN, SightingStatus.PENDING]
    assert (len(path.fakes.sms.sent), len(path.fakes.mailer.sent)) == (1, 1)


def test_a_late_frame_is_noted_in_the_timeline_and_not_acted_on(path: FramePath) -> None:
    path.fakes.clock.advance(minutes=10)

    assert record_uploaded_frame(path.fakes.door, KEY) == []

    assert statuses(path) == []
    assert (path.fakes.sms.sent, path.fakes.mailer.sent) == ([], [])
    assert path.fakes.events.kinds() == [DoorEventKind.SEEN_LATE.value] * 2


def test_a_key_that_names_no_frame_is_refused_before_anything_is_read(path: FramePath) -> None:
    with pytest.raises(BadFaceEvent, match="not a door frame's key"):
        record_uploaded_frame(path.fakes.door, "sightings/abc.jpg")
    assert (path.uploads.reads, path.search.searched) == ([], [])


@pytest.mark.parametrize(
    "data",
    [b"GIF89a not for Rekognition", b"", b"\xff\xd8\xff" + b"x" * MAX_FRAME_BYTES],
    ids=["gif", "empty", "too-large"],
)
def test_bytes_that_are_no_frame_are_refused_before_the_search(path: FramePath, data: bytes) -> None:
    with pytest.raises(BadFaceEvent):
        record_frame(path.fakes.door, data, parse_frame_key(KEY))
    assert path.search.searched == []
    assert statuses(path) == []


def test_a_png_frame_is_searched(path: FramePath) -> None:
    png = b"\x89PNG\r\n\x1a\n and the rest"
    record_frame(path.fakes.door, png, parse_frame_key(KEY))
    assert path.search.searched == [(png, path.fakes.door.policy.match_threshold)]


def test_an_upload_deleted_before_it_was_read_is_not_found(path: FramePath) -> None:
    del path.uploads.objects[KEY]
    with pytest.raises(NotFound):
        record_uploaded_frame(path.fakes.door, KEY)
    assert path.search.searched == []


def test_a_door_without_the_frame_path_says_so(fakes: Fakes) -> None:
    with pytest.raises(StorageUnavailable, match="no uploads"):
        record_uploaded_frame(fakes.door, KEY)
