"""The whole flow through the Lambda handlers: build_aws over the moto server and the served fake
Rekognition, held by the Lambdas' Door holder; a Kinesis batch into stream_handler.handler, AppSync
direct-Lambda events into resolvers.app.handler, and the outbox sent by the dispatcher through SES and SNS.

A real HTTP peer on 127.0.0.1 stands in for AppSync (moto executes no GraphQL) and records the
publishSighting request. moto serves no Kinesis Video GetImages, so the Door's FrameSource is the memory
one, holding the record's frame (a marked image the fake Rekognition reads). The assertions are those of
tests/api/test_visitor_flow.py for the same steps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from graphql import parse, print_ast

from smartdoor.adapters.aws.appsync_publisher import PUBLISH_SIGHTING
from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.offline_aws import stand_up
from smartdoor.adapters.memory.rekognition import MarkedImageCropper, SeenFace, marked_image
from smartdoor.adapters.memory.stores import MemoryFrames
from smartdoor.bootstrap import build_aws, build_outbox_dispatcher
from smartdoor.domain.model import BoundingBox, Sighting
from smartdoor.edges import lambda_door
from smartdoor.services.context import Door
from stream_handler import handler as stream_handler
from stream_handler.records import decode_kinesis_record
from tests import visitor_flow_steps as steps
from tests.lambdas.conftest import appsync_event, invoke, with_headers
from tests.lambdas.stream.conftest import RECORDS_TIME, kinesis_event, record_json

from .conftest import Aws
from .door_settings import SETTINGS
from .sent_messages import email_texts, sms_sent
from .test_appsync_publisher import Peer
from .test_appsync_publisher import peer as peer

pytestmark = pytest.mark.integration


@dataclass
class Cloud:
    door: Door
    dispatcher: OutboxDispatcher
    aws: Aws
    peer: Peer

    def emails(self) -> list[str]:
        return email_texts(self.aws)

    def texts(self) -> list[dict[str, Any]]:
        return sms_sent(self.aws)

    def sightings(self) -> list[Sighting]:
        return list(self.door.sightings.list(None, 100, None).items)


@pytest.fixture
def cloud(aws: Aws, peer: Peer) -> Iterator[Cloud]:
    # moto serves no GetImages: the frames are the memory FrameSource's (below).
    clients, _ = stand_up(aws.client, SETTINGS, "k" * 48, aws.session)
    clock = ManualClock(RECORDS_TIME)
    settings = replace(SETTINGS, appsync_endpoint=peer.url)
    built = build_aws(settings, clients, clock, SequentialIds("id"), cropper=MarkedImageCropper())
    door = replace(built, frames=MemoryFrames())
    lambda_door.set_door(door)
    lambda_door.settings.cache_clear()
    yield Cloud(door, build_outbox_dispatcher(settings, "test-dispatcher", clients, clock), aws, peer)
    lambda_door.set_door(None)
    lambda_door.settings.cache_clear()


def stranger_batch(cloud: Cloud) -> dict[str, Any]:
    """The canonical unknown-face record as a Kinesis batch, its frame in the FrameSource."""
    record = record_json("unknown_face.json")
    event = kinesis_event(record)
    face = decode_kinesis_record(event["Records"][0])
    box = record["FaceSearchResponse"][0]["DetectedFace"]["BoundingBox"]
    seen = SeenFace(BoundingBox(box["Left"], box["Top"], box["Width"], box["Height"]), (0.3, 0.6))
    frames = cloud.door.frames
    assert isinstance(frames, MemoryFrames)
    frames.frames[(face.camera_id, face.frame_time)] = marked_image(seen)
    return event


def passcode_in(sms: str) -> str:
    found = re.search(r"passcode is (\d+)\.", sms)
    assert found is not None, sms
    return found.group(1)


def validate(otp: str) -> Any:
    return invoke(
        with_headers(appsync_event("Mutation.validateOtp.api_key", otp=otp), x_forwarded_for="203.0.113.7")
    )


def test_unknown_face_to_welcome_through_the_lambdas(cloud: Cloud) -> None:
    # WHEN an unknown face's record comes down the stream
    assert stream_handler(stranger_batch(cloud), None) == {"batchItemFailures": []}
    # THEN one pending sighting, published to the console with its own selection
    [sighting] = cloud.sightings()
    assert sighting.status.value == "PENDING"
    assert sighting.camera_id == "front-door"
    [(_, headers, body)] = cloud.peer.requests
    # signed (SigV4, for appsync) with the credentials of the clients' session
    authorization = {k.lower(): v for k, v in headers.items()}["authorization"]
    credentials = cloud.aws.session.get_credentials()
    assert credentials is not None
    assert authorization.startswith(f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/")
    assert "/appsync/aws4_request" in authorization
    assert print_ast(parse(body["query"])) == print_ast(parse(PUBLISH_SIGHTING))
    published = body["variables"]["input"]
    assert published["id"] == sighting.id
    assert published["status"] == "PENDING"
    assert published["cameraId"] == "front-door"
    assert published["createdAt"] == "2025-11-23T12:13:21.450Z"
    # and the owner gets one email with a signed approve link
    assert cloud.dispatcher.run_once() == 1
    [email] = cloud.emails()
    assert "https://door.example/approve?token=" in email

    # WHEN the owner approves and registers the visitor
    approved = invoke(
        appsync_event("Mutation.approveVisitor.cognito", sightingId=sighting.id, decision="APPROVE")
    )
    # AppSync applies the selection; the resolver answers the whole object
    assert {k: approved[k] for k in ("id", "status")} == steps.approved(sighting.id)
    registered = invoke(
        appsync_event(
            "Mutation.registerVisitor.cognito", input={"sightingId": sighting.id, **steps.REGISTRATION}
        )
    )
    steps.assert_registered(registered, sighting.id, sighting.face_id)

    # THEN the visitor has an SMS in SNS with a passcode that opens the door once
    assert cloud.dispatcher.run_once() == 1
    [sms] = cloud.texts()
    assert sms["phone_number"] == steps.SMS_TO
    code = passcode_in(sms["message"])
    assert validate(code) == steps.WELCOME
    assert validate(code) == steps.DENIED


def test_a_batch_delivered_three_times_makes_one_sighting_and_one_email(cloud: Cloud) -> None:
    batch = stranger_batch(cloud)
    for _ in range(3):
        assert stream_handler(batch, None) == {"batchItemFailures": []}
    assert len(cloud.sightings()) == 1
    assert len(cloud.peer.requests) == 1
    assert cloud.dispatcher.run_once() == 1
    assert cloud.dispatcher.run_once() == 0
    assert len(cloud.emails()) == 1
