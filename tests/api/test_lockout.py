"""The door's lock-out against a real server: who a client is (address, proxy, device cookie) is decided by
the server, not by headers a guesser can vary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import RunningServer

pytestmark = pytest.mark.api

VALIDATE = "mutation($otp: String!) { validateOtp(otp: $otp) { granted message } }"
DENIED = "Permission denied"
LOCKED = "Permission denied. Too many wrong codes: try again in 30 s."


def guess(client: httpx.Client, headers: dict[str, str] | None = None, otp: str = "000000") -> str:
    response = client.post("/graphql", json={"query": VALIDATE, "variables": {"otp": otp}}, headers=headers)
    response.raise_for_status()
    message: str = response.json()["data"]["validateOtp"]["message"]
    return message


@pytest.fixture
def proxied_server(tmp_path: Path) -> Iterator[RunningServer]:
    running = RunningServer(tmp_path / "data", settings={"trusted_proxies": "127.0.0.1"})
    running.start()
    yield running
    running.stop()


def test_a_new_forwarded_for_value_per_guess_is_still_one_client(server: RunningServer) -> None:
    # No proxy is configured, so the header is the guesser's own words: the peer address counts.
    with httpx.Client(base_url=server.url, timeout=10) as client:
        answers = [guess(client, {"x-forwarded-for": f"198.51.100.{n}"}) for n in range(1, 9)]
    assert answers == [DENIED] * 5 + [LOCKED] * 3


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_counts(proxied_server: RunningServer) -> None:
    with httpx.Client(base_url=proxied_server.url, timeout=10) as client:
        # The proxy (127.0.0.1) appended the address it saw; the entries left of it are the client's words.
        forged = [guess(client, {"x-forwarded-for": f"10.9.{n}.1, 203.0.113.7"}) for n in range(1, 8)]
        other = guess(client, {"x-forwarded-for": "203.0.113.7, 198.51.100.9"})
    assert forged == [DENIED] * 5 + [LOCKED] * 2
    assert other == DENIED  # another client behind the same proxy keeps its own count


@contextmanager
def _device(url: str) -> Iterator[httpx.Client]:
    """A phone that opened the door page: it holds the page's device cookie."""
    with httpx.Client(base_url=url, timeout=10) as client:
        client.get("/door").raise_for_status()
        assert client.cookies.get("smartdoor_device")
        yield client


def test_the_door_page_gives_each_device_a_signed_http_only_cookie(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as phone:
        header = phone.get("/door").headers["set-cookie"].lower()
        # The next visit keeps the device's id: only a missing or invalid cookie gets a new one.
        assert "set-cookie" not in phone.get("/door").headers
    assert header.startswith("smartdoor_device=")
    assert "httponly" in header
    assert "samesite=strict" in header
    assert "path=/" in header


def test_two_devices_behind_one_address_keep_separate_counts(server: RunningServer) -> None:
    with _device(server.url) as first, _device(server.url) as second:
        assert [guess(first) for _ in range(6)] == [DENIED] * 5 + [LOCKED]
        # The first phone's typos do not lock out the second one, on the same address.
        assert [guess(second) for _ in range(6)] == [DENIED] * 5 + [LOCKED]


def test_a_forged_device_cookie_counts_as_no_cookie(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        answers = [guess(client, {"cookie": f"smartdoor_device=forged-{n}.c2lnbmF0dXJl"}) for n in range(7)]
    assert answers == [DENIED] * 5 + [LOCKED] * 2


def test_a_guesser_taking_a_new_cookie_per_guess_is_bounded_by_the_address(server: RunningServer) -> None:
    answers = []
    for _ in range(22):
        with _device(server.url) as throwaway:
            answers.append(guess(throwaway))
    assert answers == [DENIED] * 20 + [LOCKED] * 2
