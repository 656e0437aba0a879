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


# A transaction that met another one on the same items: for a write conditioned on what it read, the same
# news as a failed condition (someone else wrote first), so it is read and decided again.
_CONFLICT = frozenset({"TransactionConflict"})


def condition_failed(exc: ClientError, conflicts_too: bool = False) -> bool:
    """A write refused by its own condition (for a transaction: every refusing item's condition), by code;
    with ``conflicts_too``, also a transaction cancelled because it met another one."""
    code = error_code(exc)
    if code == "TransactionCanceledException":
        reasons = {str(r.get("Code", "")) for r in exc.response.get("CancellationReasons", [])} - {"None", ""}
        return bool(reasons) and reasons <= (
            CONDITION_FAILED | _CONFLICT if conflicts_too else CONDITION_FAILED
        )
    return code in CONDITION_FAILED


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
