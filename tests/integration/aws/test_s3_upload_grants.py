"""The UploadGrants port on S3 (moto server): a presigned POST that a device's form can use as it is.

moto 5.2 stores whatever a POST form names and checks none of the policy's conditions (key, size, content
type, expiry), so against moto only the upload itself is tested; the conditions S3 enforces are read back
from the signed policy the grant hands out.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from smartdoor.adapters.aws.s3_upload_grants import S3UploadGrants
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.offline_aws import stand_up
from smartdoor.bootstrap import build_aws
from smartdoor.config import Settings
from smartdoor.domain.frame_keys import frame_key, parse_frame_key
from smartdoor.services.authorization import Owner
from smartdoor.services.frame_uploads import issue_device_token, request_frame_upload

from .conftest import Aws

pytestmark = pytest.mark.integration

BUCKET = "door-photos"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) + b"\xff\xd9"


@pytest.fixture
def now() -> datetime:
    # botocore dates the policy by the real clock, so the door's clock here is the real one, to the second.
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def uploads(aws: Aws, now: datetime) -> S3UploadGrants:
    aws.s3().create_bucket(Bucket=BUCKET)
    return S3UploadGrants(aws.s3(), BUCKET, ManualClock(now))


def _policy(fields: dict[str, str]) -> dict[str, object]:
    decoded: dict[str, object] = json.loads(base64.b64decode(fields["policy"]))
    return decoded


def _expiration(policy: dict[str, object]) -> datetime:
    return datetime.strptime(str(policy["expiration"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_a_device_posts_its_frame_with_the_fields_as_they_are(
    aws: Aws, uploads: S3UploadGrants, now: datetime
) -> None:
    key = frame_key("front-door", now, "0f1e2d3c4b5a6978")
    url, fields = uploads.grant(key, 1024, now + timedelta(seconds=60))
    assert url.startswith(aws.endpoint + "/")  # only ever the local moto server

    answer = httpx.post(url, data=fields, files={"file": ("frame.jpg", JPEG, "image/jpeg")}, timeout=10)

    assert answer.status_code == 204, answer.text
    stored = aws.s3().get_object(Bucket=BUCKET, Key=key)
    assert stored["Body"].read() == JPEG
    assert stored["ContentType"] == "image/jpeg"


def test_the_signed_policy_holds_exactly_this_key_size_type_and_expiry(
    uploads: S3UploadGrants, now: datetime
) -> None:
    key = frame_key("front-door", now, "0f1e2d3c4b5a6978")
    _, fields = uploads.grant(key, 2048, now + timedelta(seconds=60))
    policy = _policy(fields)
    # The door's 60 s, counted by botocore from the moment it signed (after ``now``, by the real clock).
    assert now + timedelta(seconds=60) <= _expiration(policy) <= datetime.now(UTC) + timedelta(seconds=60)
    conditions = policy["conditions"]
    assert isinstance(conditions, list)
    assert {"bucket": BUCKET} in conditions
    assert {"key": key} in conditions  # an exact key: no starts-with, so no other object can be written
    assert {"Content-Type": "image/jpeg"} in conditions
    assert ["content-length-range", 1, 2048] in conditions
    assert fields["key"] == key
    assert fields["Content-Type"] == "image/jpeg"
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"  # SigV4: what S3 takes in every region


def test_a_grant_asked_for_after_its_expiry_is_already_expired(
    uploads: S3UploadGrants, now: datetime
) -> None:
    key = frame_key("front-door", now, "0f1e2d3c4b5a6978")
    _, fields = uploads.grant(key, 2048, now - timedelta(seconds=5))
    assert _expiration(_policy(fields)) <= datetime.now(UTC) - timedelta(seconds=5)


def test_the_door_on_aws_grants_a_device_its_frame_in_the_photo_bucket(aws: Aws, now: datetime) -> None:
    settings = Settings(photo_bucket="door-frames", hmac_secret_id="smartdoor/hmac-key")
    clients, _ = stand_up(aws.client, settings, "k" * 48)
    door = build_aws(settings, clients, ManualClock(now), SequentialIds("id"))
    token = issue_device_token(door, Owner(), "front-door")

    upload = request_frame_upload(door, "front-door", token, now)
    answer = httpx.post(
        upload.url, data=upload.fields, files={"file": ("frame.jpg", JPEG, "image/jpeg")}, timeout=10
    )

    assert answer.status_code == 204, answer.text
    assert parse_frame_key(upload.key).camera_id == "front-door"
    stored = aws.s3().get_object(Bucket="door-frames", Key=upload.key)
    assert stored["Body"].read() == JPEG
