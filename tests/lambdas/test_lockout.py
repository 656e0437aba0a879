"""Who is guessing, on AWS: the right-most X-Forwarded-For entry (AWS's edge wrote it) and the door device.

The same answers as tests/api/test_lockout.py gives for the local server behind a trusted proxy."""

from __future__ import annotations

import pytest

from tests.lambdas.conftest import appsync_event, invoke, with_headers
from tests.unit.builders import registered_visitor
from tests.unit.conftest import Fakes

pytestmark = pytest.mark.lambdas

DENIED = "Permission denied"
LOCKED = "Permission denied. Too many wrong codes: try again in 30 s."


def guess(forwarded_for: str, otp: str = "000000", device: str | None = None) -> str:
    event = appsync_event("Mutation.validateOtp.api_key", otp=otp)
    with_headers(event, x_forwarded_for=forwarded_for)
    if device is not None:
        with_headers(event, x_door_device=device)
    message: str = invoke(event)["message"]
    return message


def test_a_forged_left_most_entry_per_guess_is_still_one_client(fakes: Fakes) -> None:
    forged = [guess(f"10.9.{n}.1, 203.0.113.7") for n in range(1, 8)]
    assert forged == [DENIED] * 5 + [LOCKED] * 2
    # another client, seen by the edge at another address, keeps its own count
    assert guess("203.0.113.7, 198.51.100.9") == DENIED


def test_a_locked_client_is_refused_even_its_right_code(fakes: Fakes) -> None:
    registered_visitor(fakes)
    [code] = fakes.codes.drawn
    assert [guess(f"198.51.100.{n}, 203.0.113.7") for n in range(5)] == [DENIED] * 5
    assert guess("203.0.113.7", otp=code) == LOCKED


def test_a_new_device_id_per_guess_buys_only_the_address_allowance(fakes: Fakes) -> None:
    answers = [guess("203.0.113.7", device=f"device-{n:04d}") for n in range(22)]
    # every id is fresh, so no device is locked; the address, counting all of them, is after 20
    assert answers == [DENIED] * 20 + [LOCKED] * 2


def test_a_device_keeps_its_own_count_behind_a_shared_address(fakes: Fakes) -> None:
    typist = [guess("203.0.113.7", device="phone-of-ada-0001") for _ in range(6)]
    assert typist == [DENIED] * 5 + [LOCKED]
    assert guess("203.0.113.7", device="phone-of-bob-0002") == DENIED


def test_no_forwarded_for_is_one_shared_unknown_client(fakes: Fakes) -> None:
    def headerless() -> str:
        event = appsync_event("Mutation.validateOtp.api_key", otp="000000")
        del event["request"]["headers"]["x-forwarded-for"]
        message: str = invoke(event)["message"]
        return message

    assert [headerless() for _ in range(6)] == [DENIED] * 5 + [LOCKED]
