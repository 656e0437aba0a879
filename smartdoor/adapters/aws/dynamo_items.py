"""What the DynamoDB adapters share: times in items, and telling a failed condition from a failure.

Times are exact epoch microseconds for every check; the TTL attribute is epoch seconds and only cleans up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from botocore.exceptions import ClientError

from smartdoor.adapters.aws.errors import CONDITION_FAILED, aws_errors, error_code

T = TypeVar("T")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_SECOND_MICROS = 1_000_000


def to_micros(at: datetime) -> int:
    return (at - _EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    return _EPOCH + value * _MICRO


def ttl_seconds(at: datetime) -> int:
    """The TTL attribute: whole seconds, rounded up, so DynamoDB never removes an item before it expires."""
    return -(-to_micros(at) // _SECOND_MICROS)


def number(value: int) -> dict[str, str]:
    """A DynamoDB Number attribute value."""
    return {"N": str(value)}


def condition_failed(exc: ClientError) -> bool:
    """A write refused by its own condition (for a transaction: every refusing item's condition), by code."""
    code = error_code(exc)
    if code == "TransactionCanceledException":
        reasons = {str(r.get("Code", "")) for r in exc.response.get("CancellationReasons", [])} - {"None", ""}
        return bool(reasons) and reasons <= CONDITION_FAILED
    return code in CONDITION_FAILED


def conditional(action: str, write: Callable[[], T]) -> T | None:
    """One conditional write: its answer, or None when its condition failed (the answer "no", not an error).
    Every other error leaves as a domain error."""
    with aws_errors(action):
        try:
            return write()
        except ClientError as exc:
            if condition_failed(exc):
                return None
            raise
