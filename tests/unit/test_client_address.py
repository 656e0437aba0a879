"""Who a door client is: the peer address, or the right-most hop that no trusted proxy wrote."""

from __future__ import annotations

import pytest

from smartdoor.config import Settings
from smartdoor.domain.client_address import TrustedProxies, edge_appended, parse_address, resolve_client

pytestmark = pytest.mark.unit

NONE = TrustedProxies()
LOOPBACK = TrustedProxies.parse("127.0.0.1")
CHAIN = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8, fd00::/8")


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert resolve_client("127.0.0.1", ["203.0.113.7"], NONE) == "127.0.0.1"
    assert resolve_client("192.0.2.1", ["203.0.113.7"], LOOPBACK) == "192.0.2.1"  # peer is not the proxy


def test_behind_a_trusted_proxy_the_hop_it_appended_counts() -> None:
    assert resolve_client("127.0.0.1", ["203.0.113.7"], LOOPBACK) == "203.0.113.7"
    assert resolve_client("127.0.0.1", [], LOOPBACK) == "127.0.0.1"  # a direct request from the proxy host


@pytest.mark.parametrize("forged", ["198.51.100.1", "127.0.0.1", "10.0.0.1, 10.0.0.2", "1.1.1.1, 2.2.2.2"])
def test_forged_left_most_entries_do_not_change_the_client(forged: str) -> None:
    assert resolve_client("127.0.0.1", [f"{forged}, 203.0.113.7"], LOOPBACK) == "203.0.113.7"
    assert resolve_client("127.0.0.1", [f"{forged}, 203.0.113.7, 10.1.2.3"], CHAIN) == "203.0.113.7"


def test_several_header_lines_are_one_list_in_order() -> None:
    assert resolve_client("127.0.0.1", ["198.51.100.1", "203.0.113.7, 10.0.0.9"], CHAIN) == "203.0.113.7"


def test_an_all_trusted_chain_is_the_left_most_proxy() -> None:
    assert resolve_client("127.0.0.1", ["10.0.0.3, 10.0.0.2"], CHAIN) == "10.0.0.3"


@pytest.mark.parametrize("garbage", ["unknown", "", "not an address", "999.1.1.1", "_hidden", "1.2.3.4.5"])
def test_a_hop_no_proxy_wrote_stops_at_the_last_believable_one(garbage: str) -> None:
    # Text a guesser can vary at will must never become its identity.
    assert resolve_client("127.0.0.1", [f"{garbage}, 10.0.0.2"], CHAIN) == "10.0.0.2"
    assert resolve_client("127.0.0.1", [garbage], LOOPBACK) == "127.0.0.1"


def test_ports_and_brackets_as_proxies_write_them() -> None:
    assert resolve_client("127.0.0.1", ["203.0.113.7:50123"], LOOPBACK) == "203.0.113.7"
    assert resolve_client("127.0.0.1", ["[2001:db8::1]:443"], LOOPBACK) == "2001:db8::/64"
    assert parse_address(" 203.0.113.7 ") is not None


def test_an_ipv6_client_counts_by_its_slash_64() -> None:
    # A host chooses its own interface id: the /64 is what it cannot leave.
    first = resolve_client("2001:db8:1:2::a", [], NONE)
    assert first == resolve_client("2001:db8:1:2:ffff::1", [], NONE) == "2001:db8:1:2::/64"
    assert resolve_client("2001:db8:1:3::a", [], NONE) != first
    assert resolve_client("fd00::1", ["2001:db8::5, fd00::2"], CHAIN) == "2001:db8::/64"


def test_an_ipv4_mapped_peer_is_its_ipv4_address() -> None:
    assert resolve_client("::ffff:127.0.0.1", ["203.0.113.7"], LOOPBACK) == "203.0.113.7"
    assert resolve_client("::ffff:192.0.2.1", [], NONE) == "192.0.2.1"


def test_a_peer_that_is_no_address_is_kept_as_it_is() -> None:
    assert resolve_client(None, ["203.0.113.7"], LOOPBACK) == "unknown"
    assert resolve_client("testclient", ["203.0.113.7"], LOOPBACK) == "testclient"


def test_the_setting_takes_addresses_and_blocks_and_names_a_bad_entry() -> None:
    assert Settings.from_env({"SMARTDOOR_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8,::1"}).trusted_proxies
    assert TrustedProxies.parse("").networks == ()
    with pytest.raises(ValueError, match=r"SMARTDOOR_TRUSTED_PROXIES=.*'proxy\.lan' is not an IP"):
        Settings.from_env({"SMARTDOOR_TRUSTED_PROXIES": "127.0.0.1, proxy.lan"})
    policy = Settings.from_env({"SMARTDOOR_LOCKOUT_ADDRESS_FREE_FAILURES": "12"}).policy()
    assert (policy.lockout.free_failures, policy.address_lockout.free_failures) == (5, 12)


@pytest.mark.parametrize(
    ("lines", "key"),
    [
        (["203.0.113.7"], "203.0.113.7"),
        (["10.9.8.1, 198.51.100.1, 203.0.113.7"], "203.0.113.7"),  # the left is the client's to forge
        (["10.9.8.1", "203.0.113.7:51234"], "203.0.113.7"),  # several header lines: the last hop of all
        (["1.1.1.1, 2001:db8:1:2:3:4:5:6"], "2001:db8:1:2::/64"),
    ],
)
def test_behind_aws_edge_the_right_most_hop_counts(lines: list[str], key: str) -> None:
    assert edge_appended(lines) == key


@pytest.mark.parametrize("lines", [[], [""], ["203.0.113.7, not-an-address"]])
def test_behind_aws_edge_no_believable_hop_is_none(lines: list[str]) -> None:
    assert edge_appended(lines) is None
