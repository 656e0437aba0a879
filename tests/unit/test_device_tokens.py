"""A device token speaks for one camera of one door, and is nothing else: not a link, not forgeable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from smartdoor.domain.device_tokens import (
    DeviceGrant,
    DeviceTokenInvalid,
    sign_device_token,
    verify_device_token,
)
from smartdoor.domain.links import LinkGrant, LinkInvalid, sign_link, verify_link
from smartdoor.error_codes import error_code
from tests.unit.conftest import KEY, START

pytestmark = pytest.mark.unit


def test_a_token_names_its_camera_and_id() -> None:
    token = sign_device_token(DeviceGrant("front-door", "device-1"), KEY)
    assert verify_device_token(token, KEY) == DeviceGrant("front-door", "device-1")


def test_a_token_of_another_key_is_refused() -> None:
    token = sign_device_token(DeviceGrant("front-door", "device-1"), b"another door's key, 32 bytes..")
    with pytest.raises(DeviceTokenInvalid):
        verify_device_token(token, KEY)


def test_a_token_whose_camera_was_rewritten_is_refused() -> None:
    genuine = sign_device_token(DeviceGrant("front-door", "device-1"), KEY)
    forged_body = sign_device_token(DeviceGrant("back-door", "device-1"), b"k").split(".")[0]
    with pytest.raises(DeviceTokenInvalid):
        verify_device_token(f"{forged_body}.{genuine.split('.')[1]}", KEY)


@pytest.mark.parametrize("token", ["", ".", "abc", "abc.", ".abc", "ünï.cödé", "a.b.c"])
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(DeviceTokenInvalid):
        verify_device_token(token, KEY)


def test_an_email_link_is_not_a_device_token() -> None:
    link = sign_link(LinkGrant("sighting-1", START + timedelta(days=1), "nonce-1"), KEY)
    with pytest.raises(DeviceTokenInvalid):
        verify_device_token(link, KEY)


def test_a_device_token_is_not_an_email_link() -> None:
    token = sign_device_token(DeviceGrant("front-door", "device-1"), KEY)
    with pytest.raises(LinkInvalid):
        verify_link(token, KEY, START)


def test_a_refused_token_is_forbidden_not_a_link_error() -> None:
    assert error_code(DeviceTokenInvalid("x")) == "FORBIDDEN"
