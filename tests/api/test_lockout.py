"""The door's lock-out against a real server: who a client is (address, proxy) is decided by the server,
not by headers a guesser can vary."""

from __future__ import annotations

from collections.abc import Iterator
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
