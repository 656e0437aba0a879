"""The frame Lambda on S3 notifications: each frame acted on once, bad objects logged once and skipped
(never retried), an outage raised for Lambda's retry after the other records had their turn."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.frame_images import MAX_FRAME_BYTES
from smartdoor.domain.frame_keys import frame_key
from smartdoor.domain.model import BoundingBox, DetectedFace, SightingStatus
from stream_handler.frames import handler
from tests.lambdas.frames.conftest import FRAME_TIME, Frames, canonical_event, s3_event

pytestmark = pytest.mark.lambdas

KEY = "frames/front-door/1764590400000-0123abcd.jpg"  # the canonical event's
JPEG = b"\xff\xd8\xff\xe0 a stranger at the door"
STRANGER = (DetectedFace(BoundingBox(0.3, 0.2, 0.4, 0.5), 99.0),)


def invoke(event: dict[str, object]) -> None:
    handler(json.loads(json.dumps(event)), None)  # a fresh decode, as off the wire


def pending(frames: Frames) -> list[str]:
    items = frames.fakes.sightings.list(None, 100, None).items
    return [s.camera_id for s in items if s.status is SightingStatus.PENDING]


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_canonical_notification_twice_makes_one_sighting_and_one_search(frames: Frames) -> None:
    frames.uploads.objects[KEY] = JPEG
    frames.search.found[JPEG] = STRANGER

    invoke(canonical_event())
    invoke(canonical_event())  # S3 delivers at least once

    assert pending(frames) == ["front-door"]
    assert len(frames.fakes.mailer.sent) == 1
    assert [frame for frame, _ in frames.search.searched] == [JPEG]
    [sighting] = frames.fakes.sightings.list(None, 100, None).items
    assert sighting.created_at == FRAME_TIME  # the time the key names


def test_bad_objects_are_logged_once_each_and_skipped_and_the_good_one_is_handled(
    frames: Frames, caplog: pytest.LogCaptureFixture
) -> None:
    at = FRAME_TIME
    good = frame_key("front-door", at, "00000001")
    gif, big, gone = (frame_key("front-door", at, f"0000000{n}") for n in (2, 3, 4))
    frames.uploads.objects.update(
        {good: JPEG, gif: b"GIF89a", big: b"\xff\xd8\xff" + b"x" * MAX_FRAME_BYTES, "frames/x.jpg": JPEG}
    )
    frames.search.found[JPEG] = STRANGER
    event = s3_event("frames/x.jpg", gif, good, big, gone)

    with caplog.at_level(logging.INFO, logger="smartdoor"):
        invoke(event)
        first = errors_logged(caplog)
        caplog.clear()
        invoke(event)  # the same notification again
        again = errors_logged(caplog)

    assert pending(frames) == ["front-door"]
    assert len(first) == 4
    for key, reason in (
        ("frames/x.jpg", "not a door frame's key"),
        (gif, "neither a JPEG nor a PNG"),
        (big, "over"),
        (gone, "no object"),
    ):
        assert sum(key in line and reason in line for line in first) == 1, (key, first)
    assert again == []  # logged the first time only
    assert [frame for frame, _ in frames.search.searched] == [JPEG]


def test_another_bucket_s_or_a_deletion_s_record_is_skipped_unread(
    frames: Frames, caplog: pytest.LogCaptureFixture
) -> None:
    frames.uploads.objects[KEY] = JPEG
    with caplog.at_level(logging.ERROR, logger="smartdoor"):
        invoke(s3_event(KEY, bucket="someone-elses"))
        invoke(s3_event(KEY, event_name="ObjectRemoved:Delete"))
    assert frames.uploads.reads == []
    assert len(errors_logged(caplog)) == 2


def test_an_outage_is_raised_after_the_other_records_and_the_retry_acts_once(frames: Frames) -> None:
    first, second = (frame_key("front-door", FRAME_TIME, f"0000000{n}") for n in (1, 2))
    other = JPEG + b" (another frame)"
    frames.uploads.objects.update({first: JPEG, second: other})
    frames.search.found.update({JPEG: STRANGER, other: STRANGER})
    frames.search.fail_next.append(StorageUnavailable("Rekognition throttled"))
    event = s3_event(first, second)

    with pytest.raises(StorageUnavailable):
        invoke(event)
    assert len(frames.fakes.mailer.sent) == 1  # the second record was not held up by the first

    frames.fakes.clock.advance(seconds=1)
    invoke(event)  # Lambda's retry
    invoke(event)

    assert len(frames.search.searched) == 3  # first (failed), second, first again; the third run none
    # each frame's stranger (the scripted search matches nothing) told to the owner once
    assert len(frames.fakes.mailer.sent) == 2


def test_a_late_frame_is_not_acted_on(frames: Frames) -> None:
    frames.uploads.objects[KEY] = JPEG
    frames.search.found[JPEG] = STRANGER
    late = frames.fakes.door.policy.face_event_max_age + timedelta(seconds=1)
    frames.fakes.clock.advance(seconds=late.total_seconds())
    invoke(canonical_event())
    assert pending(frames) == []
