"""requestFrameUpload and issueDeviceToken through the resolvers Lambda: the local server's answers."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from resolvers import container
from tests.lambdas.conftest import appsync_event, invoke, refusal, with_groups
from tests.unit.conftest import Fakes

pytestmark = pytest.mark.lambdas

TAKEN = "2026-11-23T11:59:58.500Z"  # the fakes' clock is at 12:00


def _token(camera: str = "front-door") -> str:
    token = invoke(appsync_event("Mutation.issueDeviceToken.cognito", cameraId=camera))
    assert isinstance(token, str)
    return token


def _request(token: str, camera: str = "front-door", taken: object = TAKEN) -> object:
    return invoke(
        appsync_event(
            "Mutation.requestFrameUpload.api_key", cameraId=camera, deviceToken=token, takenAt=taken
        )
    )


def test_the_owner_issues_a_token_and_the_device_gets_a_grant(fakes: Fakes) -> None:
    answer = _request(_token())
    assert isinstance(answer, dict)
    key = fakes.upload_grants.granted[0][0]
    assert key.startswith("frames/front-door/1795435198500-")
    assert answer == {
        "url": "https://uploads.example/frames",
        "fields": json.dumps({"key": key}),
        "key": key,
        "expiresAt": "2026-11-23T12:01:00.000Z",
        "maxBytes": 2 * 1024 * 1024,
    }


def test_a_signed_in_user_outside_the_owner_group_gets_no_token(fakes: Fakes) -> None:
    event = with_groups(appsync_event("Mutation.issueDeviceToken.cognito", cameraId="front-door"), [])
    assert refusal(event)[0] == "FORBIDDEN"


def test_a_camera_id_no_frame_key_can_name_is_bad_input(fakes: Fakes) -> None:
    event = appsync_event("Mutation.issueDeviceToken.cognito", cameraId="front door")
    assert refusal(event)[0] == "BAD_USER_INPUT"


@pytest.mark.parametrize("forged", ["forged.token", "", "eyJjIjoiZnJvbnQtZG9vciJ9.c2ln"])
def test_a_forged_token_is_forbidden(fakes: Fakes, forged: str) -> None:
    event = appsync_event(
        "Mutation.requestFrameUpload.api_key", cameraId="front-door", deviceToken=forged, takenAt=TAKEN
    )
    assert refusal(event)[0] == "FORBIDDEN"
    assert fakes.upload_grants.granted == []


def test_a_token_of_another_camera_is_forbidden(fakes: Fakes) -> None:
    token = _token("back-door")
    event = appsync_event(
        "Mutation.requestFrameUpload.api_key", cameraId="front-door", deviceToken=token, takenAt=TAKEN
    )
    assert refusal(event) == ("FORBIDDEN", "This device token is for another camera.")


@pytest.mark.parametrize("taken", ["2026-11-23T12:06:00Z", "2026-11-23T12:00:00", "yesterday", 5])
def test_a_frame_time_far_off_or_malformed_is_bad_input(fakes: Fakes, taken: object) -> None:
    event = appsync_event(
        "Mutation.requestFrameUpload.api_key", cameraId="front-door", deviceToken=_token(), takenAt=taken
    )
    assert refusal(event)[0] == "BAD_USER_INPUT"


def test_a_device_over_its_limit_is_rate_limited(fakes: Fakes) -> None:
    container.set_door(replace(fakes.door, policy=replace(fakes.door.policy, device_frames_per_minute=1)))
    token = _token()
    _request(token)
    event = appsync_event(
        "Mutation.requestFrameUpload.api_key", cameraId="front-door", deviceToken=token, takenAt=TAKEN
    )
    assert refusal(event) == ("RATE_LIMITED", "Too many frames from this device: try again in 60 s.")
