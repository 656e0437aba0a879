"""requestFrameUpload and issueDeviceToken over the memory fakes: who gets which grant, how often."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from smartdoor.config import Settings
from smartdoor.domain.device_tokens import DeviceGrant, DeviceTokenInvalid, sign_device_token
from smartdoor.domain.errors import InvalidInput, NotAllowed, RateLimited
from smartdoor.domain.frame_keys import parse_frame_key
from smartdoor.domain.links import LinkGrant, sign_link
from smartdoor.services.authorization import Anonymous, Owner
from smartdoor.services.frame_uploads import issue_device_token, request_frame_upload
from tests.unit.conftest import KEY, START, Fakes

pytestmark = pytest.mark.unit


def test_the_owner_issues_a_token_for_a_camera(fakes: Fakes) -> None:
    token = issue_device_token(fakes.door, Owner(), "front-door")
    assert token == sign_device_token(DeviceGrant("front-door", "id-1"), KEY)


def test_only_the_owner_issues_tokens(fakes: Fakes) -> None:
    with pytest.raises(NotAllowed):
        issue_device_token(fakes.door, Anonymous(), "front-door")


@pytest.mark.parametrize("camera", ["", "front door", "..", "a/b", "x" * 257])
def test_a_token_is_only_for_a_camera_a_frame_key_can_name(fakes: Fakes, camera: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        issue_device_token(fakes.door, Owner(), camera)
    assert refused.value.field == "cameraId"


def test_a_device_gets_a_grant_for_a_fresh_key_of_its_camera_and_time(fakes: Fakes) -> None:
    token = issue_device_token(fakes.door, Owner(), "front-door")
    taken = START - timedelta(seconds=2)
    upload = request_frame_upload(fakes.door, "front-door", token, taken)
    key = parse_frame_key(upload.key)
    assert (key.camera_id, key.taken_at) == ("front-door", taken)
    assert upload.expires_at == START + timedelta(seconds=60)
    assert upload.max_bytes == 2 * 1024 * 1024
    assert fakes.upload_grants.granted == [(upload.key, upload.max_bytes, upload.expires_at)]
    assert (upload.url, upload.fields) == ("https://uploads.example/frames", {"key": upload.key})
    again = request_frame_upload(fakes.door, "front-door", token, taken)
    assert again.key != upload.key


def test_a_token_of_another_camera_is_forbidden(fakes: Fakes) -> None:
    token = issue_device_token(fakes.door, Owner(), "back-door")
    with pytest.raises(DeviceTokenInvalid):
        request_frame_upload(fakes.door, "front-door", token, START)
    assert fakes.upload_grants.granted == []


@pytest.mark.parametrize(
    "token",
    [
        "forged.token",
        sign_device_token(DeviceGrant("front-door", "d"), b"another key"),
        sign_link(LinkGrant("front-door", START + timedelta(days=1), "n"), KEY),
    ],
)
def test_a_forged_or_foreign_token_is_forbidden(fakes: Fakes, token: str) -> None:
    with pytest.raises(DeviceTokenInvalid):
        request_frame_upload(fakes.door, "front-door", token, START)


@pytest.mark.parametrize("off", [timedelta(minutes=6), -timedelta(minutes=6)])
def test_a_frame_time_far_from_now_is_bad_input(fakes: Fakes, off: timedelta) -> None:
    token = issue_device_token(fakes.door, Owner(), "front-door")
    with pytest.raises(InvalidInput) as refused:
        request_frame_upload(fakes.door, "front-door", token, START + off)
    assert refused.value.field == "takenAt"


def test_a_bad_camera_id_is_bad_input_before_the_token_is_looked_at(fakes: Fakes) -> None:
    with pytest.raises(InvalidInput) as refused:
        request_frame_upload(fakes.door, "front door", "whatever", START)
    assert refused.value.field == "cameraId"


def test_a_device_over_its_limit_is_rate_limited_until_the_next_minute(fakes: Fakes) -> None:
    door = replace(fakes.door, policy=replace(fakes.door.policy, device_frames_per_minute=2))
    token = issue_device_token(door, Owner(), "front-door")
    other = issue_device_token(door, Owner(), "front-door")
    fakes.clock.advance(seconds=15)
    for _ in range(2):
        request_frame_upload(door, "front-door", token, fakes.clock.now())
    with pytest.raises(RateLimited) as refused:
        request_frame_upload(door, "front-door", token, fakes.clock.now())
    assert refused.value.retry_after == 45
    assert len(fakes.upload_grants.granted) == 2
    request_frame_upload(door, "front-door", other, fakes.clock.now())  # its own count
    fakes.clock.advance(seconds=45)
    request_frame_upload(door, "front-door", token, fakes.clock.now())


def test_forged_requests_do_not_spend_a_device_allowance(fakes: Fakes) -> None:
    door = replace(fakes.door, policy=replace(fakes.door.policy, device_frames_per_minute=1))
    token = issue_device_token(door, Owner(), "front-door")
    for _ in range(3):
        with pytest.raises(DeviceTokenInvalid):
            request_frame_upload(door, "front-door", token + "x", START)
    request_frame_upload(door, "front-door", token, START)


def test_the_frame_size_setting_stays_within_what_rekognition_reads() -> None:
    assert Settings.from_env({"SMARTDOOR_FRAME_MAX_BYTES": "5242880"}).policy().frame_max_bytes == 5242880
    with pytest.raises(ValueError, match="SMARTDOOR_FRAME_MAX_BYTES='5242881'"):
        Settings.from_env({"SMARTDOOR_FRAME_MAX_BYTES": "5242881"})
