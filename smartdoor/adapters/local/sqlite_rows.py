"""Shared pieces of the SQLite repositories: photo JSON, keyset page tokens, error translation."""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from smartdoor.adapters.local.database import from_micros, to_micros
from smartdoor.domain.errors import InvalidInput, StorageUnavailable
from smartdoor.domain.model import Page, Photo

T = TypeVar("T")


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
        created, colon, item_id = raw.partition(":")
        micros = int(created)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput("nextToken", "nextToken is not one this server gave out.") from exc
    # SQLite integers are 64-bit: a larger number would raise OverflowError, not a clean InvalidInput.
    if not colon or not -(2**63) <= micros < 2**63:
        raise InvalidInput("nextToken", "nextToken is not one this server gave out.")
    return micros, item_id


def newest_first(
    conn: sqlite3.Connection,
    select: str,
    time_column: str,
    limit: int,
    next_token: str | None,
    convert: Callable[[Any], T],
    where: Sequence[str] = (),
    params: Sequence[object] = (),
) -> Page[T]:
    """One page of ``select`` (whose first column is ``id``), newest first, with a keyset token: stable
    under inserts, unlike OFFSET."""
    clauses, values = list(where), list(params)
    if next_token:
        clauses.append(f"({time_column}, id) < (?, ?)")
        values.extend(parse_page_token(next_token))
    filters = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"{select}{filters} ORDER BY {time_column} DESC, id DESC LIMIT ?"
    cursor = conn.execute(sql, (*values, limit + 1))
    rows = cursor.fetchall()
    at = [column[0] for column in cursor.description].index(time_column)
    items = tuple(convert(r) for r in rows[:limit])
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(items, page_token(last[at], last[0]) if last else None)


@contextmanager
def storage(action: str) -> Iterator[None]:
    """SQLite errors become the domain's StorageUnavailable (the edge says 'try again')."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StorageUnavailable(f"could not {action}: {exc}") from exc
