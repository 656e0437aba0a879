"""Shared pieces of the SQLite repositories: photo JSON, keyset page tokens, error translation."""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from smartdoor.adapters.local.database import from_micros, to_micros
from smartdoor.domain.errors import InvalidInput, StorageUnavailable
from smartdoor.domain.model import Photo


def photo_json(photo: Photo) -> dict[str, Any]:
    return {
        "objectKey": photo.object_key,
        "bucket": photo.bucket,
        "createdTimestamp": to_micros(photo.created_timestamp),
    }


def photo_from(data: dict[str, Any]) -> Photo:
    return Photo(data["objectKey"], data["bucket"], from_micros(int(data["createdTimestamp"])))


def photos_from(text: str) -> tuple[Photo, ...]:
    return tuple(photo_from(item) for item in json.loads(text))


def page_token(created_micros: int, item_id: str) -> str:
    """Keyset pagination: the last item's (created, id), opaque to clients."""
    return base64.urlsafe_b64encode(f"{created_micros}:{item_id}".encode()).decode().rstrip("=")


def parse_page_token(token: str) -> tuple[int, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        created, _, item_id = raw.partition(":")
        return int(created), item_id
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput("nextToken", "nextToken is not one this server gave out.") from exc


@contextmanager
def storage(action: str) -> Iterator[None]:
    """SQLite errors become the domain's StorageUnavailable (the edge says 'try again')."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StorageUnavailable(f"could not {action}: {exc}") from exc
