"""Which network address a door client has: the peer, or what trusted proxies say they saw.

X-Forwarded-For is a list each proxy appends to, so only the entries that trusted proxies appended can be
believed: walk it from the right past the trusted hops; the first other entry is the client. Everything left
of that is the client's own words, free to forge.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# An IPv6 host picks its own address inside its /64: counting per address would give it 2**64 clients.
IPV6_CLIENT_PREFIX = 64


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        """Comma-separated addresses or CIDR blocks; raise ValueError naming a bad entry."""
        networks = []
        for entry in (part.strip() for part in text.split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError as exc:
                raise ValueError(f"{entry!r} is not an IP address or CIDR block") from exc
        return cls(tuple(networks))

    def __contains__(self, address: IPAddress) -> bool:
        return any(address.version == n.version and address in n for n in self.networks)


def parse_address(text: str) -> IPAddress | None:
    """An address as proxies write it (``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:443``), or None."""
    value = text.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]  # IPv4 with a port
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # a dual-stack socket's view of an IPv4 client
    return address


def _hops(headers: Iterable[str]) -> list[str]:
    return [hop for header in headers for hop in header.split(",")]


def resolve_client(peer: str | None, forwarded_for: Sequence[str], trusted: TrustedProxies) -> str:
    """The client's address for counting: the peer, unless it is a trusted proxy; then the right-most
    X-Forwarded-For hop that is not one (``forwarded_for``: every header line, in order)."""
    nearest = parse_address(peer) if peer else None
    if nearest is None:
        return peer or "unknown"
    for hop in reversed(_hops(forwarded_for)):
        if nearest not in trusted:
            break
        previous = parse_address(hop)
        if previous is None:
            # A trusted proxy would have written an address: this is a client's text, which it could vary
            # at will. Count the last hop that can be believed instead.
            break
        nearest = previous
    return counting_key(nearest)


def edge_appended(forwarded_for: Sequence[str]) -> str | None:
    """The counting key of the right-most X-Forwarded-For hop, for an edge whose own proxy (AWS's, in front
    of AppSync) appends exactly one hop: the rest is the client's to forge. None when it is no address."""
    hops = _hops(forwarded_for)
    address = parse_address(hops[-1]) if hops else None
    return counting_key(address) if address is not None else None


def counting_key(address: IPAddress) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)
