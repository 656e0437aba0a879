"""Per-request context for the local GraphQL edge: who is asking and from where."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from starlette.requests import HTTPConnection

from smartdoor.bootstrap import LocalDoor
from smartdoor.domain.client_address import TrustedProxies, resolve_client
from smartdoor.server.device_cookie import COOKIE, device_id
from smartdoor.services.access import DoorClient
from smartdoor.services.authorization import Actor, Anonymous, Owner


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def is_owner_token(app: LocalDoor, token: str | None) -> bool:
    return token is not None and hmac.compare_digest(token.encode(), app.owner_token.encode())


def client_id(app: LocalDoor, connection: HTTPConnection) -> DoorClient:
    """Who the lock-out counts: the address resolved here (uvicorn's proxy headers are off, so a guesser
    cannot pick one per guess) and the device id of a valid door cookie."""
    peer = connection.client.host if connection.client else None
    forwarded = connection.headers.getlist("x-forwarded-for")
    address = resolve_client(peer, forwarded, _trusted(app.settings.trusted_proxies))
    return DoorClient(address, device_id(connection.cookies.get(COOKIE), app.door.secret_key))


@lru_cache(maxsize=4)
def _trusted(setting: str) -> TrustedProxies:
    return TrustedProxies.parse(setting)  # validated when the settings were loaded


@dataclass
class RequestContext:
    app: LocalDoor
    actor: Actor
    client: DoorClient
    connection_params: dict[str, Any] = field(default_factory=dict)
    # strawberry hands these to resolvers that ask for the raw request
    request: Any = None
    response: Any = None


def actor_for(app: LocalDoor, authorization: str | None) -> Actor:
    return Owner() if is_owner_token(app, bearer_token(authorization)) else Anonymous()
