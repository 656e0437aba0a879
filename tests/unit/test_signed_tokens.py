"""Links and device tokens already handed out keep working: their wire format is fixed, byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smartdoor.domain.device_tokens import DeviceGrant, sign_device_token, verify_device_token
from smartdoor.domain.links import LinkGrant, LinkInvalid, sign_link, verify_link
from smartdoor.domain.signed_tokens import sign_payload
from tests.unit.conftest import KEY, START

pytestmark = pytest.mark.unit

# Issued with the unit tests' KEY by the signers as they were when links and device tokens first shipped.
LINK = (
    "eyJlIjoxNzk2MTI2NDAwLCJuIjoibm9uY2UtMSIsInMiOiJzaWdodGluZy0xIn0"
    ".59zN1Q2YhlDCXOH5L8KV-7Sa4I9CxbRRTRH266Yccc0"
)
DEVICE_TOKEN = "eyJjIjoiZnJvbnQtZG9vciIsInQiOiJkZXZpY2UtMSJ9._fuFeGO5bgdiaq51w2XfAEBkyBZLf2MTZtxWKPJB77E"
LINK_GRANT = LinkGrant("sighting-1", datetime(2026, 12, 1, 12, 0, tzinfo=UTC), "nonce-1")


def test_a_link_is_signed_as_it_always_was_and_an_issued_one_verifies() -> None:
    assert sign_link(LINK_GRANT, KEY) == LINK
    assert verify_link(LINK, KEY, START) == LINK_GRANT


def test_a_device_token_is_signed_as_it_always_was_and_an_issued_one_verifies() -> None:
    assert sign_device_token(DeviceGrant("front-door", "device-1"), KEY) == DEVICE_TOKEN
    assert verify_device_token(DEVICE_TOKEN, KEY) == DeviceGrant("front-door", "device-1")


def test_a_link_signed_over_a_body_that_is_no_grant_is_refused() -> None:
    # A genuine mac over a body with no expiry or nonce (no door signs one): refused, not a crash.
    token = sign_payload({"s": "sighting-1"}, b"smartdoor-link\x00", KEY)  # no expiry, no nonce
    with pytest.raises(LinkInvalid):
        verify_link(token, KEY, START)
