"""The visitor's photo from Kinesis Video on the stream path, and its retry when there is no media yet.

build_aws over the moto server (DynamoDB, S3, SES, Secrets Manager), the served FakeRekognition and a
served fake Kinesis Video (GetDataEndpoint, GetImages through real botocore clients, requests and answers
checked against the service models). The record is a real Rekognition stream-processor record, decoded as
the stream handler decodes it.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import stream_handler
from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.offline_aws import stand_up
from smartdoor.adapters.memory.rekognition import FakeRekognition, MarkedImageCropper, SeenFace, marked_image
from smartdoor.adapters.memory.served_kinesis_video import (
    FakeKinesisVideo,
    archived_media_served_by,
    kinesis_video_served_by,
)
from smartdoor.bootstrap import build_aws, build_outbox_dispatcher
from smartdoor.domain.awaited_faces import awaiting_face_id
from smartdoor.domain.model import FaceEvent, FaceOwner, Sighting
from smartdoor.edges.face_records import decode_face_json
from smartdoor.edges.lambda_outbox import set_dispatcher
from smartdoor.services.awaited_photos import Retry, retry_awaited_photos
from smartdoor.services.context import Door
from smartdoor.services.messages import PHOTO_CID
from smartdoor.services.streamed_faces import record_streamed_face_event
from stream_handler import outbox, photo_retry
from stream_handler.container import set_door

from .conftest import Aws
from .door_settings import SETTINGS as DOOR_SETTINGS
from .outbox_events import LambdaContext, scheduled_event, stream_event
from .sent_messages import body_text, emails_sent

pytestmark = pytest.mark.integration

RECORD = Path(__file__).parents[2] / "events" / "unknown_face.json"
STREAM = "front-door"  # the record's StreamArn names it; it is the camera's id too
# The record's ProducerTimestamp 1763900000.25 + FrameOffsetInSeconds 1.2: the frame it describes.
FRAME_AT = datetime.fromtimestamp(1763900001, UTC) + timedelta(milliseconds=450)
SETTINGS = replace(DOOR_SETTINGS, kvs_streams=STREAM)
POLICY = SETTINGS.policy()
PHOTO = f"<{PHOTO_CID}>"


@dataclass
class Cloud:
    door: Door
    dispatcher: OutboxDispatcher
    clock: ManualClock
    kvs: FakeKinesisVideo
    rekognition: FakeRekognition
    aws: Aws
    event: FaceEvent

    def frame(self) -> bytes:
        """The frame the record describes: its face where the record says, as the fake reads images."""
        return marked_image(SeenFace(self.event.faces[0].bounding_box, (0.4, 0.6)))

    def sightings(self) -> list[Sighting]:
        return list(self.door.sightings.list(None, 100, None).items)

    def emails(self) -> list[tuple[str, list[str]]]:
        """(plain text, the Content-IDs of its inline parts) of every email SES sent, oldest first."""
        return [
            (body_text(m), [str(p["Content-ID"]) for p in m.walk() if p["Content-ID"]])
            for m in emails_sent(self.aws)
        ]

    def html(self) -> list[str]:
        return [body_text(m, "html") for m in emails_sent(self.aws)]

    def object(self, key: str) -> tuple[bytes, str]:
        answer = self.aws.s3().get_object(Bucket=SETTINGS.photo_bucket, Key=key)
        return answer["Body"].read(), answer["ContentType"]

    def retry(self) -> list[Retry]:
        return retry_awaited_photos(self.door, "runner-1")


@pytest.fixture
def cloud(aws: Aws) -> Cloud:
    clients, rekognition = stand_up(aws.client, SETTINGS, "k" * 48)
    kvs = FakeKinesisVideo()
    clients = replace(
        clients,
        kinesisvideo=kinesis_video_served_by(kvs),
        archived_media=lambda endpoint: archived_media_served_by(kvs, endpoint),
    )
    event = decode_face_json(RECORD.read_bytes())
    assert (event.camera_id, event.frame_time) == (STREAM, FRAME_AT)
    clock = ManualClock(FRAME_AT + timedelta(seconds=40))  # records come tens of seconds after the frame
    door = build_aws(SETTINGS, clients, clock, SequentialIds("id"), cropper=MarkedImageCropper())
    dispatcher = build_outbox_dispatcher(SETTINGS, "test-dispatcher", clients, clock)
    return Cloud(door, dispatcher, clock, kvs, rekognition, aws, event)


def assert_photos_stored(c: Cloud, sighting_id: str) -> None:
    stored = c.door.sightings.get(sighting_id)
    assert stored is not None
    assert stored.photo is not None
    assert stored.face_photo is not None
    # The seed's photo shape: an object key and the bucket it is in.
    assert (stored.photo.bucket, stored.photo.object_key) == (
        SETTINGS.photo_bucket,
        f"sightings/{sighting_id}.jpg",
    )
    assert stored.face_photo.object_key == f"sightings/{sighting_id}-face.jpg"
    assert c.object(stored.photo.object_key) == (c.frame(), "image/jpeg")
    face_bytes, face_type = c.object(stored.face_photo.object_key)
    assert face_type == "image/jpeg"
    assert face_bytes == MarkedImageCropper().crop(c.frame(), c.event.faces[0].bounding_box)
    # The face is indexed from the frame and is the sighting's: the visit's next frames match it.
    assert c.rekognition.face_ids(SETTINGS.rekognition_collection) == {stored.face_id}
    owned = c.door.owners.get(stored.face_id)
    assert owned is not None
    assert owned.owner == FaceOwner.sighting(sighting_id)


def test_the_frame_at_the_record_s_time_gives_the_sighting_its_photos(cloud: Cloud) -> None:
    c = cloud
    c.kvs.add_frame(STREAM, FRAME_AT, c.frame())
    [sighting] = record_streamed_face_event(c.door, c.event)
    [request] = c.kvs.requests
    assert (request["StreamName"], request["ImageSelectorType"]) == (STREAM, "PRODUCER_TIMESTAMP")
    assert request["StartTimestamp"] == FRAME_AT  # producer timestamp + frame offset, exactly
    assert_photos_stored(c, sighting.id)
    assert c.dispatcher.run_once() == 1
    [(_text, parts)] = c.emails()
    assert parts == [PHOTO]  # the photo, inline
    assert c.retry() == []  # nothing was left to retry


def test_no_media_at_first_then_the_retry_fills_the_photo_and_sends_one_email(cloud: Cloud) -> None:
    c = cloud
    [sighting] = record_streamed_face_event(c.door, c.event)  # no media yet: no batch item failure
    assert (sighting.photo, sighting.face_photo) == (None, None)
    assert sighting.face_id == awaiting_face_id(sighting.id)  # nothing to index a face from yet
    assert c.dispatcher.run_once() == 0  # the owner's email is held for the photo
    assert c.retry() == []  # not due yet
    c.kvs.add_frame(STREAM, FRAME_AT, c.frame())
    c.clock.advance(seconds=POLICY.photo_retry_interval.total_seconds())
    assert c.retry() == [Retry.FILLED]
    assert_photos_stored(c, sighting.id)
    assert c.dispatcher.run_once() == 1
    [(text, parts)] = c.emails()
    assert parts == [PHOTO]
    assert "Someone you don't know yet" in text
    assert [r["StartTimestamp"] for r in c.kvs.requests] == [FRAME_AT, FRAME_AT]
    c.clock.advance(minutes=5)
    assert (c.retry(), c.dispatcher.run_once()) == ([], 0)  # done: no further fetch, no second email
    assert len(c.kvs.requests) == 2


def test_later_frames_of_the_photo_less_stranger_make_no_second_sighting(cloud: Cloud) -> None:
    c = cloud
    record_streamed_face_event(c.door, c.event)
    later = replace(c.event, frame_time=FRAME_AT + timedelta(milliseconds=200), event_id="next-frame")
    assert record_streamed_face_event(c.door, later) == []
    assert len(c.sightings()) == 1


def test_two_retries_racing_store_one_photo_and_send_one_email(cloud: Cloud) -> None:
    c = cloud
    [sighting] = record_streamed_face_event(c.door, c.event)
    c.kvs.add_frame(STREAM, FRAME_AT, c.frame())
    c.clock.advance(seconds=POLICY.photo_retry_interval.total_seconds())
    start, outcomes = threading.Barrier(2), []

    def run(runner: str) -> None:
        start.wait(timeout=30)
        outcomes.extend(retry_awaited_photos(c.door, runner))

    threads = [threading.Thread(target=run, args=(f"runner-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o.value for o in outcomes) == ["busy", "filled"]
    assert_photos_stored(c, sighting.id)  # one indexed face: the loser never indexed or took it back
    assert c.dispatcher.run_once() == 1
    assert len(c.emails()) == 1


def test_media_that_never_comes_sends_the_email_without_a_photo_after_the_last_attempt(
    cloud: Cloud, caplog: pytest.LogCaptureFixture
) -> None:
    c = cloud
    [sighting] = record_streamed_face_event(c.door, c.event)
    outcomes: list[Retry] = []
    for _ in range(POLICY.photo_attempts - 1):  # the first fetch was the event's own
        assert c.dispatcher.run_once() == 0  # still held
        c.clock.advance(seconds=POLICY.photo_retry_interval.total_seconds())
        with caplog.at_level(logging.WARNING, logger="smartdoor"):
            outcomes += c.retry()
    assert outcomes == [Retry.LATER] * (POLICY.photo_attempts - 2) + [Retry.GAVE_UP]
    assert len(c.kvs.requests) == POLICY.photo_attempts
    assert any(f"no frame for sighting {sighting.id}" in r.getMessage() for r in caplog.records)
    assert c.dispatcher.run_once() == 1
    [(_text, parts)] = c.emails()
    assert parts == []
    assert "No photo was captured." in c.html()[0]  # and it says so
    stored = c.door.sightings.get(sighting.id)
    assert stored is not None
    assert (stored.photo, stored.face_photo) == (None, None)
    c.clock.advance(minutes=10)
    assert (c.retry(), len(c.kvs.requests), c.dispatcher.run_once()) == ([], POLICY.photo_attempts, 0)


def test_a_throttled_get_images_is_retried_later_and_nothing_is_lost(cloud: Cloud) -> None:
    c = cloud
    c.kvs.add_frame(STREAM, FRAME_AT, c.frame())
    c.kvs.throttled = 2  # the event's own fetch and the first retry
    [sighting] = record_streamed_face_event(c.door, c.event)  # no exception: the shard goes on
    assert sighting.photo is None
    c.clock.advance(seconds=POLICY.photo_retry_interval.total_seconds())
    assert c.retry() == [Retry.LATER]
    c.clock.advance(seconds=POLICY.photo_retry_interval.total_seconds())
    assert c.retry() == [Retry.FILLED]
    assert_photos_stored(c, sighting.id)
    assert c.dispatcher.run_once() == 1
    assert len(c.emails()) == 1


def test_a_retry_whose_runner_died_is_taken_again_after_its_lease(cloud: Cloud) -> None:
    c = cloud
    [sighting] = record_streamed_face_event(c.door, c.event)
    awaited = c.door.awaited_photos
    assert awaited is not None
    c.clock.advance(seconds=POLICY.photo_retry_interval.total_seconds())
    now = c.clock.now()
    assert awaited.claim(sighting.id, "died", now, now + POLICY.photo_retry_lease) is not None
    c.kvs.add_frame(STREAM, FRAME_AT, c.frame())
    assert c.retry() == [Retry.BUSY]  # the dead runner's claim still holds
    c.clock.advance(seconds=POLICY.photo_retry_lease.total_seconds())
    assert c.retry() == [Retry.FILLED]
    assert_photos_stored(c, sighting.id)


def test_the_stream_handler_fails_no_record_for_a_frame_not_in_kinesis_video_yet(cloud: Cloud) -> None:
    c = cloud
    kinesis_event = json.loads((RECORD.parent / "kinesis_event_faces.json").read_text())
    record = kinesis_event["Records"][0]
    record["kinesis"]["data"] = base64.b64encode(RECORD.read_bytes()).decode()
    set_door(c.door)
    try:
        answer = stream_handler.handler({"Records": [record]}, None)
    finally:
        set_door(None)
    assert answer == {"batchItemFailures": []}  # the shard goes on; the photo comes with the retry
    [sighting] = c.sightings()
    assert sighting.photo is None
    assert c.door.awaited_photos is not None
    assert c.door.awaited_photos.due(c.clock.now() + POLICY.photo_retry_interval, 10) == [sighting.id]


def test_the_photo_retry_lambda_runs_the_due_retries(cloud: Cloud) -> None:
    c = cloud
    record_streamed_face_event(c.door, c.event)
    c.kvs.add_frame(STREAM, FRAME_AT, c.frame())
    c.clock.advance(seconds=POLICY.photo_retry_interval.total_seconds())
    set_door(c.door)
    try:
        context = type("Context", (), {"aws_request_id": "req-1"})()
        assert photo_retry.handler({}, context) == {"filled": 1}
        assert photo_retry.handler({}, context) == {}
    finally:
        set_door(None)
    assert c.dispatcher.run_once() == 1


def test_the_outbox_lambda_sends_a_held_email_only_once_it_is_released(cloud: Cloud) -> None:
    c = cloud
    [sighting] = record_streamed_face_event(c.door, c.event)  # no media yet: the email is held
    email_id = f"email:sighting:{sighting.id}"
    set_dispatcher(c.dispatcher)
    try:
        held = stream_event(c.aws, [email_id])  # the stream's INSERT of the held item
        assert "unsent" not in held["Records"][0]["dynamodb"]["NewImage"]
        assert outbox.handler(held, LambdaContext("req-1")) == {"batchItemFailures": []}
        assert outbox.handler(scheduled_event(), LambdaContext("req-2"))["tried"] == 0
        c.clock.advance(minutes=1)
        assert outbox.handler(held, LambdaContext("req-3")) == {"batchItemFailures": []}
        assert c.emails() == []  # held: neither the stream nor the sweep sends it
        c.kvs.add_frame(STREAM, FRAME_AT, c.frame())
        assert c.retry() == [Retry.FILLED]
        released = stream_event(c.aws, [email_id], "MODIFY")  # the fill's image: unsent, with its photo
        for request in ("req-4", "req-5"):
            assert outbox.handler(released, LambdaContext(request)) == {"batchItemFailures": []}
    finally:
        set_dispatcher(None)
    [(_text, parts)] = c.emails()
    assert parts == [PHOTO]


NOT_AN_IMAGE = b"<html>503 Service Unavailable</html>"  # bytes that no decoder reads as a picture


def test_a_frame_that_is_no_image_fails_no_record_and_its_retry_gives_up_at_once(
    cloud: Cloud, caplog: pytest.LogCaptureFixture
) -> None:
    c = cloud
    c.kvs.add_frame(STREAM, FRAME_AT, NOT_AN_IMAGE)
    kinesis_event = json.loads((RECORD.parent / "kinesis_event_faces.json").read_text())
    record = kinesis_event["Records"][0]
    record["kinesis"]["data"] = base64.b64encode(RECORD.read_bytes()).decode()
    set_door(c.door)
    try:
        with caplog.at_level(logging.WARNING, logger="smartdoor"):
            answer = stream_handler.handler({"Records": [record]}, None)
    finally:
        set_door(None)
    assert answer == {"batchItemFailures": []}  # the same bytes would fail every re-delivery
    [sighting] = c.sightings()
    assert (sighting.photo, sighting.face_photo) == (None, None)
    [first] = [r.getMessage() for r in caplog.records if "no image" in r.getMessage()]
    assert STREAM in first
    caplog.clear()
    c.clock.advance(seconds=POLICY.photo_retry_interval.total_seconds())
    with caplog.at_level(logging.WARNING, logger="smartdoor"):
        assert c.retry() == [Retry.GAVE_UP]  # not retried until the attempts run out: it will not improve
    [gave_up] = [r.getMessage() for r in caplog.records if sighting.id in r.getMessage()]
    assert "no image" in gave_up
    assert len(c.kvs.requests) == 2
    assert c.dispatcher.run_once() == 1
    [(_text, parts)] = c.emails()
    assert parts == []  # the bytes are not attached as if they were the photo
    assert "No photo was captured." in c.html()[0]
    stored = c.door.sightings.get(sighting.id)
    assert stored is not None
    assert (stored.photo, stored.face_photo) == (None, None)
    c.clock.advance(minutes=10)
    assert (c.retry(), len(c.kvs.requests), c.dispatcher.run_once()) == ([], 2, 0)


def test_a_frame_rekognition_calls_no_image_gives_up_at_once_without_a_photo(cloud: Cloud) -> None:
    c = cloud
    [sighting] = record_streamed_face_event(c.door, c.event)  # no media yet
    c.kvs.add_frame(STREAM, FRAME_AT, c.frame())
    c.rekognition.fail_next("IndexFaces", "InvalidImageFormatException")
    c.clock.advance(seconds=POLICY.photo_retry_interval.total_seconds())
    assert c.retry() == [Retry.GAVE_UP]
    assert c.rekognition.face_ids(SETTINGS.rekognition_collection) == set()
    stored = c.door.sightings.get(sighting.id)
    assert stored is not None
    assert (stored.photo, stored.face_photo) == (None, None)
    assert c.dispatcher.run_once() == 1
    [(_text, parts)] = c.emails()
    assert parts == []
    assert "No photo was captured." in c.html()[0]


def test_a_first_frame_rekognition_calls_no_image_makes_the_sighting_without_it(cloud: Cloud) -> None:
    c = cloud
    c.kvs.add_frame(STREAM, FRAME_AT, c.frame())
    c.rekognition.fail_next("IndexFaces", "InvalidImageFormatException")
    [sighting] = record_streamed_face_event(c.door, c.event)  # no exception: the record is not failed
    assert (sighting.photo, sighting.face_photo) == (None, None)
    assert c.dispatcher.run_once() == 0  # held for the retry
    c.rekognition.fail_next("IndexFaces", "InvalidImageFormatException")
    c.clock.advance(seconds=POLICY.photo_retry_interval.total_seconds())
    assert c.retry() == [Retry.GAVE_UP]
    assert c.dispatcher.run_once() == 1
    [(_text, parts)] = c.emails()
    assert parts == []
