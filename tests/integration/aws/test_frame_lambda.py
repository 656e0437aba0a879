"""The frame path end to end: a JPEG of two people uploaded to the photo bucket (moto server), the frame
Lambda fed its S3 notification, the door built by build_aws (DynamoDB, S3, the outbox sent through SES and
SNS) over the served fake Rekognition, and the Lambdas' Door holder.

The frame is composed with Pillow from two people's photos in the shared test data. The fake Rekognition
cannot see faces in pixels, so the scene tells it what the frame and each face's crop show (the crops are
cut by the same PillowFaceCropper the door uses, so their bytes are the ones the adapter sends).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageOps

from smartdoor.adapters.aws.face_crop import PillowFaceCropper
from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.offline_aws import stand_up
from smartdoor.adapters.memory.rekognition import FakeRekognition, SeenFace, marked_image, read_marked_image
from smartdoor.adapters.memory.served_rekognition import served_by
from smartdoor.bootstrap import build_aws, build_outbox_dispatcher
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.frame_images import MAX_FRAME_BYTES
from smartdoor.domain.frame_keys import frame_key
from smartdoor.domain.model import BoundingBox, FaceOwner, OwnedFace, Sighting, SightingStatus, Visitor
from smartdoor.edges import lambda_door
from smartdoor.services.context import Door
from stream_handler.frames import handler
from tests.lambdas.frames.conftest import FRAME_TIME, canonical_event, s3_event

from .conftest import Aws
from .door_settings import SETTINGS
from .sent_messages import email_texts, sms_texts

pytestmark = pytest.mark.integration

BUCKET, COLLECTION = SETTINGS.photo_bucket, SETTINGS.rekognition_collection
KEY = "frames/front-door/1764590400000-0123abcd.jpg"  # the canonical event's, taken at FRAME_TIME
PHONE = "+12025550100"
LEFT, RIGHT = BoundingBox(0.1, 0.15, 0.3, 0.6), BoundingBox(0.6, 0.15, 0.3, 0.6)
OBAMA, BIDEN = (0.3, 0.6), (0.7, 0.2)  # likenesses: 100 * (1 - distance) apart, far below the threshold
IN_CROP = BoundingBox(0.25, 0.2, 0.5, 0.6)  # where a face sits in its own crop (the fake only needs one)


def photo(testdata: Path, path: str) -> Image.Image:
    with Image.open(testdata / "faces" / "faces" / path) as opened:
        return ImageOps.fit(opened.convert("RGB"), (320, 400))


@dataclass
class Scene:
    """A frame of Obama (left) beside Biden (right), and what the fake is to see in it and in each crop."""

    frame: bytes
    crops: dict[bytes, tuple[float, ...]]

    @classmethod
    def compose(cls, testdata: Path) -> Scene:
        canvas = Image.new("RGB", (640, 400))
        canvas.paste(photo(testdata, "obama/fr_obama.jpg"), (0, 0))
        canvas.paste(photo(testdata, "biden/fr_knn_biden2.jpg"), (320, 0))
        out = io.BytesIO()
        canvas.save(out, "JPEG", quality=85)
        frame = out.getvalue()
        cropper = PillowFaceCropper()
        crops: dict[bytes, tuple[float, ...]] = {}
        for box, likeness in ((LEFT, OBAMA), (RIGHT, BIDEN)):
            crop = cropper.crop(frame, box)
            assert crop is not None
            crops[crop] = likeness
        assert len(crops) == 2  # two different cuts: each crop tells its own face
        return cls(frame, crops)

    def see(self, image: bytes) -> Sequence[SeenFace]:
        if image == self.frame:
            return [SeenFace(LEFT, OBAMA), SeenFace(RIGHT, BIDEN)]
        if image in self.crops:
            return [SeenFace(IN_CROP, self.crops[image])]
        return read_marked_image(image)  # the visitor's enrolment below


@dataclass
class FrameCloud:
    door: Door
    dispatcher: OutboxDispatcher
    fake: FakeRekognition
    scene: Scene
    aws: Aws
    clock: ManualClock

    def upload(self, key: str, data: bytes) -> None:
        self.aws.s3().put_object(Bucket=BUCKET, Key=key, Body=data, ContentType="image/jpeg")

    def calls(self, operation: str) -> int:
        return sum(name == operation for name, _ in self.fake.calls)

    def searches(self) -> tuple[int, int]:
        return self.calls("DetectFaces"), self.calls("SearchFacesByImage")

    def texts(self) -> list[str]:
        return sms_texts(self.aws, to=PHONE)

    def emails(self) -> list[str]:
        return email_texts(self.aws)

    def sightings(self) -> list[Sighting]:
        return sorted(self.door.sightings.list(None, 100, None).items, key=lambda s: s.status.value)

    def stored(self, key: str) -> bytes:
        body: bytes = self.aws.s3().get_object(Bucket=BUCKET, Key=key)["Body"].read()
        return body


@pytest.fixture
def cloud(aws: Aws, testdata: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FrameCloud]:
    clients, _ = stand_up(aws.client, SETTINGS, "k" * 48, aws.session)
    scene = Scene.compose(testdata)
    fake = FakeRekognition(see=scene.see)
    fake.create_collection(CollectionId=COLLECTION)
    clients = replace(clients, rekognition=served_by(fake))
    clock = ManualClock(FRAME_TIME + timedelta(seconds=2))
    door = build_aws(SETTINGS, clients, clock, SequentialIds("id"))  # Pillow crops, as in the Lambda
    # GIVEN Obama is a registered visitor, his face in the collection
    indexed = fake.index_faces(CollectionId=COLLECTION, Image={"Bytes": marked_image(SeenFace(LEFT, OBAMA))})
    face_id = indexed["FaceRecords"][0]["Face"]["FaceId"]
    door.visitors.add(Visitor("obama", face_id, "Barack", PHONE, (), FRAME_TIME))
    door.owners.add(OwnedFace(face_id, FaceOwner.visitor("obama"), FRAME_TIME))
    fake.calls.clear()
    monkeypatch.setenv("SMARTDOOR_PHOTO_BUCKET", BUCKET)
    lambda_door.settings.cache_clear()
    lambda_door.set_door(door)
    dispatcher = build_outbox_dispatcher(SETTINGS, "test-dispatcher", clients, clock)
    yield FrameCloud(door, dispatcher, fake, scene, aws, clock)
    lambda_door.set_door(None)
    lambda_door.settings.cache_clear()


def invoke(event: dict[str, Any]) -> None:
    handler(event, None)


def test_a_frame_of_two_people_searches_each_once_and_makes_two_decisions_once(cloud: FrameCloud) -> None:
    # GIVEN the door device uploaded a frame of Obama beside a stranger
    cloud.upload(KEY, cloud.scene.frame)

    # WHEN S3 notifies the frame Lambda
    invoke(canonical_event())

    # THEN one DetectFaces for the frame, one SearchFacesByImage per face
    assert cloud.searches() == (1, 2)
    known, pending = cloud.sightings()
    assert (known.status, known.visitor_id) == (SightingStatus.KNOWN, "obama")
    assert pending.status is SightingStatus.PENDING
    assert {(s.camera_id, s.created_at) for s in (known, pending)} == {("front-door", FRAME_TIME)}
    # the upload is the sighting's photo, and the stranger's own crop its face photo
    assert pending.photo is not None
    assert pending.face_photo is not None
    assert cloud.stored(pending.photo.object_key) == cloud.scene.frame
    assert cloud.scene.crops.get(cloud.stored(pending.face_photo.object_key)) == BIDEN
    # the outbox sends Obama's passcode through SNS and the owner's email through SES
    assert cloud.dispatcher.run_once() == 2
    [sms] = cloud.texts()
    assert "passcode is" in sms
    [email] = cloud.emails()
    assert "Someone you don't know yet is at your door." in email

    # WHEN S3 delivers the same notification again
    invoke(canonical_event())

    # THEN nothing more: no search, no sighting, nothing queued
    assert cloud.searches() == (1, 2)
    assert len(cloud.sightings()) == 2
    assert cloud.dispatcher.run_once() == 0


def test_a_throttled_rekognition_is_raised_for_the_retry_which_acts_once(cloud: FrameCloud) -> None:
    cloud.upload(KEY, cloud.scene.frame)
    cloud.fake.fail_next("DetectFaces", "ThrottlingException")

    with pytest.raises(StorageUnavailable, match="throttled"):
        invoke(canonical_event())
    assert cloud.sightings() == []

    cloud.clock.advance(seconds=30)  # Lambda's retry, a little later
    invoke(canonical_event())
    invoke(canonical_event())  # and the notification's duplicate

    assert cloud.searches() == (2, 2)
    assert [s.status for s in cloud.sightings()] == [SightingStatus.KNOWN, SightingStatus.PENDING]
    assert cloud.dispatcher.run_once() == 2


def test_bad_objects_are_logged_and_skipped_with_nothing_searched_or_acted_on(
    cloud: FrameCloud, caplog: pytest.LogCaptureFixture
) -> None:
    gif, big, gone = (frame_key("front-door", FRAME_TIME, f"0000000{n}") for n in (1, 2, 3))
    cloud.upload(gif, b"GIF89a\x01\x00\x01\x00")
    cloud.upload(big, b"\xff\xd8\xff" + bytes(MAX_FRAME_BYTES))
    cloud.upload("frames/front-door/notes.jpg", cloud.scene.frame)
    cloud.upload(gone, cloud.scene.frame)
    cloud.aws.s3().delete_object(Bucket=BUCKET, Key=gone)

    with caplog.at_level(logging.ERROR, logger="smartdoor"):
        invoke(s3_event("frames/front-door/notes.jpg", gif, big, gone))

    assert cloud.searches() == (0, 0)
    assert cloud.sightings() == []
    assert cloud.dispatcher.run_once() == 0
    logged = [r.getMessage() for r in caplog.records]
    for key, reason in (
        ("frames/front-door/notes.jpg", "not a door frame's key"),
        (gif, "neither a JPEG nor a PNG"),
        (big, f"{MAX_FRAME_BYTES + 3} bytes"),
        (gone, "not found"),
    ):
        assert sum(key in line and reason in line for line in logged) == 1, (key, logged)
