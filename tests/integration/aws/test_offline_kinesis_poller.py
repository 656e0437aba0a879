"""The Kinesis poller as the stood-up event source mapping: records put on the moto server's stream reach a
handler in Lambda's own event, with the mapping's batch item failures, bisection, bounded retries, record
age and on-failure queue, and the real stream handler makes a sighting over the Door that the Lambda's
resolved environment names."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.messaging import MemoryPublisher
from smartdoor.adapters.memory.offline_aws import clients_with_fakes
from smartdoor.adapters.memory.rekognition import FakeRekognition, MarkedImageCropper, SeenFace, marked_image
from smartdoor.adapters.memory.stores import MemoryFrames
from smartdoor.bootstrap import build_aws
from smartdoor.config import Settings
from smartdoor.domain.model import BoundingBox
from smartdoor.edges import lambda_door
from smartdoor.edges.face_records import decode_face_json
from smartdoor.services.context import Door
from smartdoor_cdk.offline.kinesis_poller import Handler, KinesisPoller
from smartdoor_cdk.offline.stand_up import StoodUp, stand_up
from stream_handler import handler as stream_handler
from tests.lambdas.stream.conftest import RECORDS_TIME
from tests.waiting import wait_until

from . import cdk_template as cdk
from .conftest import REGION, Aws

pytestmark = pytest.mark.integration

REKOGNITION = Path(__file__).resolve().parents[3] / ".." / "shared" / "testdata" / "rekognition"


@dataclass
class Offline:
    aws: Aws
    stood: StoodUp
    pollers: list[KinesisPoller]

    def poller(self, handler: Handler, **options: Any) -> KinesisPoller:
        [mapping] = self.stood.mappings.values()
        mapping = replace(mapping, **options.pop("mapping", {}))
        function = self.stood.functions[cdk.FUNCTION]
        requests = itertools.count(1)
        poller = KinesisPoller(
            self.aws.client("kinesis"),
            mapping,
            handler,
            function.arn,
            function.role_arn,
            REGION,
            sqs=self.aws.client("sqs"),
            request_ids=lambda: f"request-{next(requests)}",
            poll_interval=options.pop("poll_interval", 0.05),
            **options,
        )
        self.pollers.append(poller)
        return poller

    def put(self, *payloads: bytes) -> list[str]:
        """Put records on the stream, in order; their sequence numbers."""
        kinesis = self.aws.client("kinesis")
        return [
            kinesis.put_record(StreamName=cdk.STREAM_NAME, Data=data, PartitionKey="front-door")[
                "SequenceNumber"
            ]
            for data in payloads
        ]

    def failure_records(self) -> list[dict[str, Any]]:
        sqs = self.aws.client("sqs")
        queue = self.stood.resources[cdk.FAILED].ref
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


@pytest.fixture
def offline(aws: Aws) -> Iterator[Offline]:
    stood = Offline(aws, stand_up(cdk.fragment(), aws.client), [])
    yield stood
    for poller in stood.pollers:
        assert poller.stop(timeout=10), "the poller did not stop"


@pytest.fixture
def door(offline: Offline) -> Iterator[Door]:
    """The stream handler's Door, built from the Lambda's resolved environment over the stood-up resources,
    the served fake Rekognition holding the collection the template names."""
    function = offline.stood.functions[cdk.FUNCTION]
    settings = Settings.from_env(function.environment)
    fake = FakeRekognition()
    fake.create_collection(CollectionId=settings.rekognition_collection)
    clients = clients_with_fakes(offline.aws.client, fake, offline.aws.session)
    built = build_aws(
        settings,
        clients,
        ManualClock(RECORDS_TIME),
        SequentialIds("id"),
        publisher=MemoryPublisher(),  # the environment names an AppSync that no test here serves
        cropper=MarkedImageCropper(),
    )
    door = replace(built, frames=MemoryFrames())  # moto serves no Kinesis Video GetImages
    lambda_door.set_door(door)
    yield door
    lambda_door.set_door(None)


def stranger(door: Door) -> bytes:
    """The real-shaped unknown-face record of ../shared/testdata, its frame in the Door's FrameSource."""
    data = (REKOGNITION / "unknown_face.json").read_bytes()
    event = decode_face_json(data)
    box = json.loads(data)["FaceSearchResponse"][0]["DetectedFace"]["BoundingBox"]
    seen = SeenFace(BoundingBox(box["Left"], box["Top"], box["Width"], box["Height"]), (0.3, 0.6))
    frames = door.frames
    assert isinstance(frames, MemoryFrames)
    frames.frames[(event.camera_id, event.frame_time)] = marked_image(seen)
    return data


def test_a_face_record_on_the_stream_becomes_a_sighting_in_lambdas_event(
    offline: Offline, door: Door
) -> None:
    events: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> Any:
        events.append(event)
        return stream_handler(event, context)

    data = stranger(door)
    [sequence] = offline.put(data)
    poller = offline.poller(handler)
    poller.start()
    assert wait_until(lambda: len(door.sightings.list(None, 10, None).items) == 1)
    assert poller.stop(timeout=10)
    [sighting] = door.sightings.list(None, 10, None).items
    assert (sighting.camera_id, sighting.status.value) == ("front-door", "PENDING")
    [event] = events
    [record] = event["Records"]
    arrived = record["kinesis"].pop("approximateArrivalTimestamp")
    assert isinstance(arrived, float)
    assert record == {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "front-door",
            "sequenceNumber": sequence,
            "data": base64.b64encode(data).decode(),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"shardId-000000000000:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": offline.stood.functions[cdk.FUNCTION].role_arn,
        "awsRegion": REGION,
        "eventSourceARN": offline.stood.resources[cdk.STREAM].attributes["Arn"],
    }
    assert poller.checkpoints == {"shardId-000000000000": sequence}


def test_a_poison_record_in_the_middle_is_reported_once_and_the_rest_processed(
    offline: Offline, door: Door
) -> None:
    first, poison, last = offline.put(
        stranger(door), b"\x00not json", (REKOGNITION / "no_faces.json").read_bytes()
    )
    poller = offline.poller(stream_handler)
    poller.start()
    assert wait_until(lambda: poller.checkpoints.get("shardId-000000000000") == last)
    assert poller.stop(timeout=10)
    # reported as a batch item failure the first time: re-delivered from it, then skipped as reported
    assert [(i.sequence_numbers, i.failed_from, i.function_error) for i in poller.invocations] == [
        ((first, poison, last), 1, None),
        ((poison, last), None, None),
    ]
    assert len(door.sightings.list(None, 10, None).items) == 1
    assert offline.failure_records() == []


def test_a_record_that_fails_every_time_is_bisected_retried_boundedly_then_sent_to_sqs(
    offline: Offline,
) -> None:
    one, two, poison, four = offline.put(b"1", b"2", b"3", b"4")

    def handler(event: dict[str, Any], context: Any) -> Any:
        if any(r["kinesis"]["sequenceNumber"] == poison for r in event["Records"]):
            raise RuntimeError("this record always fails")
        return {"batchItemFailures": []}

    poller = offline.poller(handler)
    poller.start()
    failures: list[dict[str, Any]] = []

    def failed() -> bool:
        failures.extend(offline.failure_records())
        return bool(failures)

    assert wait_until(failed)
    assert wait_until(lambda: poller.checkpoints.get("shardId-000000000000") == four)
    assert poller.stop(timeout=10)
    # MaximumRetryAttempts 2: the poison record is in three failed invocations, halved each time
    assert [(i.sequence_numbers, i.function_error) for i in poller.invocations] == [
        ((one, two, poison, four), "Unhandled"),
        ((one, two), None),
        ((poison, four), "Unhandled"),
        ((poison,), "Unhandled"),
        ((four,), None),
    ]
    [failure] = failures
    function = offline.stood.functions[cdk.FUNCTION]
    info = failure.pop("KinesisBatchInfo")
    assert failure.pop("timestamp").endswith("Z")
    assert failure == {
        "requestContext": {
            "requestId": "request-4",  # the last invocation that failed
            "functionArn": function.arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": 3,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
    }
    assert info.pop("approximateArrivalOfFirstRecord") == info.pop("approximateArrivalOfLastRecord")
    assert info == {
        "shardId": "shardId-000000000000",
        "startSequenceNumber": poison,
        "endSequenceNumber": poison,
        "batchSize": 1,
        "streamArn": offline.stood.resources[cdk.STREAM].attributes["Arn"],
    }
    assert offline.failure_records() == []  # sent once


def test_a_record_reported_failed_every_time_is_redelivered_from_it_then_given_up(offline: Offline) -> None:
    one, failing, three = offline.put(b"1", b"2", b"3")

    def handler(event: dict[str, Any], context: Any) -> Any:
        sequences = [r["kinesis"]["sequenceNumber"] for r in event["Records"]]
        return {"batchItemFailures": [{"itemIdentifier": failing}] if failing in sequences else []}

    poller = offline.poller(handler)
    poller.open()
    assert poller.poll_once() == 3
    assert [(i.sequence_numbers, i.failed_from) for i in poller.invocations] == [
        ((one, failing, three), 1),
        ((failing, three), 0),
        ((failing, three), 0),
    ]
    [failure] = offline.failure_records()
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert (failure["KinesisBatchInfo"]["startSequenceNumber"], failure["KinesisBatchInfo"]["batchSize"]) == (
        failing,
        2,
    )
    assert poller.checkpoints == {"shardId-000000000000": three}


def test_records_older_than_the_maximum_age_go_to_sqs_without_an_invocation(offline: Offline) -> None:
    [sequence] = offline.put(b"old")
    called: list[dict[str, Any]] = []
    arrival = offline.aws.client("kinesis").get_records(
        ShardIterator=offline.aws.client("kinesis").get_shard_iterator(
            StreamName=cdk.STREAM_NAME, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
    )["Records"][0]["ApproximateArrivalTimestamp"]
    poller = offline.poller(
        lambda event, context: called.append(event), now=lambda: arrival.timestamp() + 3601
    )
    poller.open()
    assert poller.poll_once() == 1
    assert called == []
    [failure] = offline.failure_records()
    assert failure["requestContext"]["condition"] == "RecordAgeExceeded"
    assert failure["requestContext"]["approximateInvokeCount"] == 0
    assert "responseContext" not in failure
    assert failure["KinesisBatchInfo"]["startSequenceNumber"] == sequence


def test_the_poller_stops_while_it_waits_between_polls(offline: Offline) -> None:
    poller = offline.poller(lambda event, context: None, poll_interval=600)
    poller.start()
    assert wait_until(lambda: poller.rounds >= 1)
    # a stop does not wait out the poll interval: the bound here is far below its 600 s
    assert poller.stop(timeout=10)


def test_latest_starts_from_the_records_put_after_the_poller_opened(offline: Offline) -> None:
    offline.put(b"before")
    seen: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> Any:
        seen.extend(base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"])

    poller = offline.poller(handler, mapping={"starting_position": "LATEST"})
    poller.open()
    assert poller.poll_once() == 0
    offline.put(b"after")
    assert poller.poll_once() == 1
    assert seen == ["after"]


def test_each_shard_is_read_in_order_and_checkpointed_on_its_own(aws: Aws) -> None:
    template = cdk.fragment()
    template["Resources"][cdk.STREAM]["Properties"]["ShardCount"] = 2
    offline = Offline(aws, stand_up(template, aws.client), [])
    kinesis = aws.client("kinesis")
    put = [
        kinesis.put_record(StreamName=cdk.STREAM_NAME, Data=f"{n}".encode(), PartitionKey=f"camera-{n % 7}")
        for n in range(12)
    ]
    shards = {p["ShardId"] for p in put}
    assert len(shards) == 2  # the partition keys spread over both shards
    seen: dict[str, list[str]] = {}

    def handler(event: dict[str, Any], context: Any) -> Any:
        for r in event["Records"]:
            seen.setdefault(r["eventID"].split(":")[0], []).append(r["kinesis"]["sequenceNumber"])

    poller = offline.poller(handler)
    poller.start()
    last = {shard: [p["SequenceNumber"] for p in put if p["ShardId"] == shard][-1] for shard in shards}
    assert wait_until(lambda: poller.checkpoints == last)
    assert poller.stop(timeout=10)
    assert seen == {shard: [p["SequenceNumber"] for p in put if p["ShardId"] == shard] for shard in shards}
