"""The stream handler on real-shaped Rekognition records: every record and face handled once, bad records
reported once and never blocking the shard, late records noted and not acted on."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from smartdoor.adapters.memory.new_sightings import MemoryNewSightings
from smartdoor.adapters.memory.stores import MemorySightings
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.model import DoorEventKind, Sighting, SightingStatus
from stream_handler import container, handler
from tests.lambdas.stream.conftest import (
    ADA,
    BOB,
    Stream,
    add_visitor,
    canonical_event,
    kinesis_event,
    record_json,
    sequence_numbers,
)

pytestmark = pytest.mark.lambdas


def statuses(stream: Stream) -> list[SightingStatus]:
    return sorted(s.status for s in stream.fakes.sightings.list(None, 100, None).items)


def kinds(stream: Stream) -> list[DoorEventKind]:
    return [e.kind for e in stream.fakes.events.list(100, None).items]


def test_a_batch_delivered_three_times_sends_one_sms_and_makes_one_sighting_per_face(stream: Stream) -> None:
    # GIVEN Ada is registered, and a batch of her face and a stranger's
    add_visitor(stream, ADA)
    event = kinesis_event(record_json("known_face.json"), record_json("unknown_face.json"))

    # WHEN Lambda delivers the batch three times (a retry, a duplicate from the stream)
    answers = [handler(event, None) for _ in range(3)]

    # THEN one SMS to Ada, one email to the owner, one sighting each, one console push each
    assert answers == [{"batchItemFailures": []}] * 3
    assert [s.phone_number for s in stream.fakes.sms.sent] == [ADA.phone_number]
    assert len(stream.fakes.mailer.sent) == 1
    assert statuses(stream) == [SightingStatus.KNOWN, SightingStatus.PENDING]
    assert len(stream.fakes.publisher.published) == 2


def test_the_canonical_batch_delivered_three_times_makes_one_decision_per_face(stream: Stream) -> None:
    # GIVEN Ada is registered; the batch: a stranger, Ada beside another stranger, an empty frame
    add_visitor(stream, ADA)
    event = canonical_event("kinesis_event_faces.json")

    answers = [handler(event, None) for _ in range(3)]

    assert answers == [{"batchItemFailures": []}] * 3
    assert [s.phone_number for s in stream.fakes.sms.sent] == [ADA.phone_number]
    assert len(stream.fakes.mailer.sent) == 2
    assert statuses(stream) == [SightingStatus.KNOWN, SightingStatus.PENDING, SightingStatus.PENDING]
    assert kinds(stream).count(DoorEventKind.NEW_FACE) == 2


def test_a_bad_record_in_the_middle_is_reported_once_and_the_rest_are_handled(
    stream: Stream, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN the canonical event: Ada's face, a record that is not JSON, a stranger's face
    add_visitor(stream, ADA)
    event = canonical_event()
    bad = sequence_numbers(event)[1]

    with caplog.at_level(logging.INFO, logger="smartdoor"):
        first = handler(event, None)
        again = handler(event, None)  # Lambda re-delivers from the reported record on

    # THEN the bad record is the batch item failure the first time only, and logged as an error once
    assert first == {"batchItemFailures": [{"itemIdentifier": bad}]}
    assert again == {"batchItemFailures": []}
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and bad in r.getMessage()]
    assert len(errors) == 1
    # AND the records around it were handled, once
    assert [s.phone_number for s in stream.fakes.sms.sent] == [ADA.phone_number]
    assert statuses(stream) == [SightingStatus.KNOWN, SightingStatus.PENDING]


@pytest.mark.parametrize(
    "data",
    [
        b"\x00not json",
        b"[1, 2]",
        b'{"InputInformation": {}}',
        b"[" * 10_000,
        b'{"InputInformation": {"KinesisVideo": {"ProducerTimestamp": 1e999}}}',
        "\udcff".encode("utf-8", "surrogatepass"),
    ],
    ids=["binary", "array", "no-stream", "deep", "huge-number", "not-utf8"],
)
def test_garbage_is_reported_once_and_never_blocks_the_shard(stream: Stream, data: bytes) -> None:
    event = kinesis_event(data, record_json("unknown_face.json"))
    bad = sequence_numbers(event)[0]

    assert handler(event, None) == {"batchItemFailures": [{"itemIdentifier": bad}]}
    assert handler(event, None) == {"batchItemFailures": []}
    assert statuses(stream) == [SightingStatus.PENDING]


def test_data_that_is_not_base64_is_a_bad_record(stream: Stream) -> None:
    event = kinesis_event(record_json("unknown_face.json"))
    event["Records"][0]["kinesis"]["data"] = "not base64!"

    assert handler(event, None) == {"batchItemFailures": [{"itemIdentifier": sequence_numbers(event)[0]}]}
    assert handler(event, None) == {"batchItemFailures": []}
    assert statuses(stream) == []


def test_a_record_of_two_faces_makes_one_decision_per_face(stream: Stream) -> None:
    # GIVEN Ada is registered; the frame shows her and a stranger
    add_visitor(stream, ADA)

    assert handler(kinesis_event(record_json("two_faces.json")), None) == {"batchItemFailures": []}

    # THEN Ada gets her passcode and the owner is asked about the stranger
    assert [s.phone_number for s in stream.fakes.sms.sent] == [ADA.phone_number]
    assert len(stream.fakes.mailer.sent) == 1
    assert statuses(stream) == [SightingStatus.KNOWN, SightingStatus.PENDING]


def test_java_style_timestamps_give_the_frame_its_own_time(stream: Stream) -> None:
    handler(kinesis_event(record_json("unknown_face_scientific.json")), None)

    [sighting] = stream.fakes.sightings.list(None, 10, None).items
    # ProducerTimestamp 1.76390000025E9 + FrameOffsetInSeconds 1.2
    assert sighting.created_at == datetime(2025, 11, 23, 12, 13, 21, 450000, tzinfo=UTC)


def test_the_same_frame_written_in_either_notation_is_one_face_event(stream: Stream) -> None:
    event = kinesis_event(record_json("unknown_face.json"), record_json("unknown_face_scientific.json"))

    assert handler(event, None) == {"batchItemFailures": []}
    assert statuses(stream) == [SightingStatus.PENDING]


@pytest.mark.parametrize("faces", [[], None], ids=["empty", "absent"])
def test_a_record_without_faces_is_handled_and_does_nothing(stream: Stream, faces: list[Any] | None) -> None:
    record = record_json("no_faces.json")
    if faces is None:
        record.pop("FaceSearchResponse", None)
    else:
        record["FaceSearchResponse"] = faces

    assert handler(kinesis_event(record), None) == {"batchItemFailures": []}
    assert statuses(stream) == []
    assert kinds(stream) == []


def test_of_several_matches_the_best_similarity_decides(stream: Stream) -> None:
    # GIVEN Ada (99.12) and Bob (84.03) both match, the weaker one listed first
    add_visitor(stream, ADA)
    add_visitor(stream, BOB)
    record = record_json("known_face.json")
    matches = record["FaceSearchResponse"][0]["MatchedFaces"]
    matches.reverse()
    assert [m["Similarity"] for m in matches] == [84.03, 99.12]

    handler(kinesis_event(record), None)

    assert [s.phone_number for s in stream.fakes.sms.sent] == [ADA.phone_number]


def test_a_match_without_an_external_image_id_is_found_by_its_face(stream: Stream) -> None:
    record = record_json("match_without_external_id.json")
    [match] = record["FaceSearchResponse"][0]["MatchedFaces"]
    assert "ExternalImageId" not in match["Face"]
    add_visitor(stream, ADA)
    add_visitor(
        stream, BOB.__class__(BOB.id, match["Face"]["FaceId"], BOB.name, BOB.phone_number, (), BOB.created_at)
    )

    assert handler(kinesis_event(record), None) == {"batchItemFailures": []}
    assert [s.phone_number for s in stream.fakes.sms.sent] == [BOB.phone_number]


@pytest.mark.parametrize("status", ["STOPPING", "FAILED", "", None])
def test_a_status_other_than_running_is_still_a_face_seen(stream: Stream, status: str | None) -> None:
    # The processor writes what it had analysed before it stopped: the faces in it were at the door.
    record = record_json("unknown_face.json")
    if status is None:
        record.pop("StreamProcessorInformation")
    else:
        record["StreamProcessorInformation"]["Status"] = status

    assert handler(kinesis_event(record), None) == {"batchItemFailures": []}
    assert statuses(stream) == [SightingStatus.PENDING]


def test_a_late_record_is_noted_in_the_timeline_and_sends_nothing(stream: Stream) -> None:
    # GIVEN Ada is registered, and her record arrives long after the frame (a retry, a stalled shard)
    add_visitor(stream, ADA)
    frame = datetime(2025, 11, 23, 12, 13, 32, 900000, tzinfo=UTC)
    stream.clock.advance(seconds=(frame - stream.clock.now()).total_seconds() + 301)
    event = kinesis_event(record_json("known_face.json"), record_json("unknown_face.json"))

    assert handler(event, None) == {"batchItemFailures": []}
    assert handler(event, None) == {"batchItemFailures": []}

    # THEN each face is one timeline line, and nobody is texted, emailed or shown a new sighting
    assert kinds(stream) == [DoorEventKind.SEEN_LATE, DoorEventKind.SEEN_LATE]
    assert [e.camera_id for e in stream.fakes.events.list(10, None).items] == ["front-door", "front-door"]
    assert stream.fakes.sms.sent == []
    assert stream.fakes.mailer.sent == []
    assert statuses(stream) == []
    assert stream.fakes.publisher.published == []


def test_a_record_just_within_the_age_limit_is_acted_on(stream: Stream) -> None:
    add_visitor(stream, ADA)
    frame = datetime(2025, 11, 23, 12, 13, 32, 900000, tzinfo=UTC)
    stream.clock.advance(seconds=(frame + timedelta(seconds=300) - stream.clock.now()).total_seconds())

    handler(kinesis_event(record_json("known_face.json")), None)

    assert [s.phone_number for s in stream.fakes.sms.sent] == [ADA.phone_number]


class UnavailableSightings(MemorySightings):
    """Sightings whose store is down until ``up`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.up = False

    def add(self, sighting: Sighting) -> None:
        if not self.up:
            raise StorageUnavailable("sightings table throttled")
        super().add(sighting)


def test_storage_unavailable_reports_that_record_for_a_retry(stream: Stream) -> None:
    # GIVEN the sightings store is down
    down = UnavailableSightings()
    new_sightings = MemoryNewSightings(down, stream.fakes.mailer)
    container.set_door(replace(stream.fakes.door, sightings=down, new_sightings=new_sightings))
    event = kinesis_event(record_json("unknown_face.json"), record_json("no_faces.json"))
    stranger = sequence_numbers(event)[0]

    # WHEN the batch runs while the store is down, then again once it is back
    failed = handler(event, None)
    down.up = True
    retried = handler(event, None)

    # THEN the stranger's record was the failure, and the retry handled it (its claim was given back)
    assert failed == {"batchItemFailures": [{"itemIdentifier": stranger}]}
    assert retried == {"batchItemFailures": []}
    assert [s.status for s in down.list(None, 10, None).items] == [SightingStatus.PENDING]
