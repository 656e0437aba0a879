"""Who is calling, from the AppSync event: the actor, and the door client the lock-out counts.

AppSync has checked the credentials before the Lambda runs; this module only reads what it passes on.

- Cognito user pool: ``identity.claims`` holds the verified token's claims. A member of the owner group
  (``cognito:groups`` contains SMARTDOOR_OWNER_GROUP) is the Owner; any other user is Anonymous, so
  owner-only fields refuse them with FORBIDDEN, as locally.
- API key (the door page, the email-link pages): ``identity`` is null: Anonymous; a link token in the
  arguments is verified by the use case, as locally.
- IAM (the stream handler): the publisher, and nothing else (Anonymous for every other field).

The door client, for the lock-out. With the API key AppSync gives no identity, so the address comes from the
request's X-Forwarded-For header; its client writes the left part of that list at will, and only the
right-most entry, appended by AWS's edge in front of AppSync, can be believed. That entry is the address.

A door device on AWS has no server-set cookie. The door page stores a random id and sends it as the
``x-door-device`` header: it lets one phone's typos count apart from the other devices on its network. The id
is the client's own word, so it is counted only in addition to the address (the address limit holds every
try, whatever id comes with it), never instead of it: a guesser who sends a new id per try buys the
address's allowance and no more. A malformed id is no id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smartdoor.domain.client_address import edge_appended
from smartdoor.services.access import DoorClient
from smartdoor.services.authorization import Actor, Anonymous, Owner

DEVICE_HEADER = "x-door-device"
FORWARDED_FOR = "x-forwarded-for"
_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
UNKNOWN_ADDRESS = "unknown"  # every caller without a believable address shares one count


@dataclass(frozen=True)
class Caller:
    actor: Actor
    publisher: bool = False  # the IAM caller: only it may announce sightings


def _groups(claims: Mapping[str, Any]) -> list[str]:
    groups = claims.get("cognito:groups")
    if isinstance(groups, list):
        return [g for g in groups if isinstance(g, str)]
    if isinstance(groups, str):  # some mapping templates pass the claim as one string
        return [g for g in re.split(r"[,\s]+", groups.strip("[]")) if g]
    return []


def caller(identity: object, owner_group: str) -> Caller:
    if not isinstance(identity, Mapping):
        return Caller(Anonymous())  # API key: AppSync passes no identity
    claims = identity.get("claims")
    if isinstance(claims, Mapping):
        return Caller(Owner() if owner_group in _groups(claims) else Anonymous())
    if isinstance(identity.get("userArn"), str):
        return Caller(Anonymous(), publisher=True)
    return Caller(Anonymous())


def _header(headers: object, name: str) -> list[str]:
    if not isinstance(headers, Mapping):
        return []
    return [v for k, v in headers.items() if isinstance(k, str) and k.lower() == name and isinstance(v, str)]


def door_client(request: object) -> DoorClient:
    headers = request.get("headers") if isinstance(request, Mapping) else None
    address = edge_appended(_header(headers, FORWARDED_FOR)) or UNKNOWN_ADDRESS
    devices = _header(headers, DEVICE_HEADER)
    device = devices[-1].strip() if devices else ""
    return DoorClient(address, device if _DEVICE_ID.fullmatch(device) else None)
