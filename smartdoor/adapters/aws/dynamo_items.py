"""Shared pieces of the DynamoDB adapters: attribute values, times, the seed's photo shape, page tokens, and
telling a failed condition from a failure.

Times are Numbers of epoch microseconds (exact, like the SQLite columns); keys that order by time are
``tables.created_key``; a TTL attribute is epoch seconds and only cleans up. A page token is the last item's
key, base64url JSON, checked on the way back in against the exact key shape of the index it pages, so a
tampered token is InvalidInput, never a request DynamoDB would refuse (or, worse, accept and read from an
arbitrary place).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from smartdoor.adapters.aws.errors import CONDITION_FAILED, aws_errors, error_code
from smartdoor.domain.errors import InvalidInput
from smartdoor.domain.model import Photo

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, QueryInputTypeDef

Item = Mapping[str, "AttributeValueTypeDef"]

T = TypeVar("T")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND_MICROS = 1_000_000
_MICRO = timedelta(microseconds=1)
_CREATED_KEY = re.compile(r"\d{20}#.+", re.DOTALL)
_BAD_TOKEN = "nextToken is not one this server gave out."  # noqa: S105 - a message, not a secret


def to_micros(at: datetime) -> int:
    return (at - _EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    return _EPOCH + value * _MICRO


def ttl_seconds(at: datetime) -> int:
    """The TTL attribute: whole seconds, rounded up, so DynamoDB never removes an item before it expires."""
    return -(-to_micros(at) // _SECOND_MICROS)


def s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def n(value: int) -> AttributeValueTypeDef:
    return {"N": str(value)}


def text(item: Item, name: str) -> str:
    return str(item[name]["S"])


def optional_text(item: Item, name: str) -> str | None:
    return text(item, name) if name in item else None


def number(item: Item, name: str) -> int:
    return int(item[name]["N"])


def time(item: Item, name: str) -> datetime:
    return from_micros(number(item, name))


def photo_value(photo: Photo) -> AttributeValueTypeDef:
    """The seed's photo entry: {objectKey, bucket, createdTimestamp}."""
    return {
        "M": {
            "objectKey": s(photo.object_key),
            "bucket": s(photo.bucket),
            "createdTimestamp": n(to_micros(photo.created_timestamp)),
        }
    }


def photo_from(value: AttributeValueTypeDef) -> Photo:
    entry: Item = value["M"]
    return Photo(text(entry, "objectKey"), text(entry, "bucket"), time(entry, "createdTimestamp"))


def encode_token(key: Mapping[str, str]) -> str:
    """An opaque token for the item ``key`` (every key attribute of the index paged, all strings)."""
    raw = json.dumps(dict(sorted(key.items())), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(
    token: str, names: frozenset[str], fixed: Mapping[str, str]
) -> dict[str, AttributeValueTypeDef]:
    """ExclusiveStartKey from a token this adapter gave out: exactly ``names``, all strings, the ``fixed``
    ones (the index's partition) equal to what this listing queries, createdKey/eventKey well formed."""
    try:
        decoded: object = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput("nextToken", _BAD_TOKEN) from exc
    if not isinstance(decoded, dict) or set(decoded) != names:
        raise InvalidInput("nextToken", _BAD_TOKEN)
    values: dict[str, Any] = decoded
    if not all(isinstance(v, str) and v for v in values.values()):
        raise InvalidInput("nextToken", _BAD_TOKEN)
    if any(values[name] != value for name, value in fixed.items()):
        raise InvalidInput("nextToken", _BAD_TOKEN)
    for sort in ("createdKey", "eventKey"):
        if sort in values and not _CREATED_KEY.fullmatch(values[sort]):
            raise InvalidInput("nextToken", _BAD_TOKEN)
    return {name: s(value) for name, value in values.items()}


def query_page(
    client: DynamoDBClient,
    request: QueryInputTypeDef,
    limit: int,
    key_names: frozenset[str],
    fixed: Mapping[str, str],
    next_token: str | None,
) -> tuple[list[dict[str, AttributeValueTypeDef]], str | None]:
    """One page of a Query (newest first as ``request`` says): one item more than asked tells whether a
    next page exists, so a page that is exactly full gets no token and no empty page follows."""
    if limit < 1:
        raise InvalidInput("limit", "limit must be at least 1.")
    query: QueryInputTypeDef = {**request, "Limit": limit + 1}
    if next_token:
        query["ExclusiveStartKey"] = decode_token(next_token, key_names, fixed)
    response = client.query(**query)
    items = response.get("Items", [])
    page, more = items[:limit], len(items) > limit
    if not more:
        return page, None
    last = page[-1]
    return page, encode_token({name: text(last, name) for name in key_names})


# A transaction that met another one on the same items: for a write conditioned on what it read, the same
# news as a failed condition (someone else wrote first), so it is read and decided again.
_CONFLICT = frozenset({"TransactionConflict"})


def cancellation_reasons(exc: ClientError) -> list[Mapping[str, Any]] | None:
    """Each item's reason for a cancelled transaction, in item order; None for any other error."""
    if error_code(exc) != "TransactionCanceledException":
        return None
    return list(exc.response.get("CancellationReasons", []))


def refusal_codes(exc: ClientError) -> set[str]:
    """What refused: the codes of a cancelled transaction's refusing items, or the error's own code."""
    reasons = cancellation_reasons(exc)
    if reasons is None:
        return {error_code(exc)}
    return {str(r.get("Code", "")) for r in reasons} - {"None", ""}


def condition_failed(exc: ClientError, conflicts_too: bool = False) -> bool:
    """A write refused by its own condition (for a transaction: every refusing item's condition), by code;
    with ``conflicts_too``, also a transaction cancelled because it met another one."""
    codes = refusal_codes(exc)
    if cancellation_reasons(exc) is None:
        return codes <= CONDITION_FAILED
    return bool(codes) and codes <= (CONDITION_FAILED | _CONFLICT if conflicts_too else CONDITION_FAILED)


def conditional(action: str, write: Callable[[], T], conflicts_too: bool = False) -> T | None:
    """One conditional write: its answer, or None when its condition failed (the answer "no", not an error;
    with ``conflicts_too``, also when it met another transaction). Every other error leaves as a domain
    error."""
    with aws_errors(action):
        try:
            return write()
        except ClientError as exc:
            if condition_failed(exc, conflicts_too):
                return None
            raise
