"""The Throttle and ClientAttempts ports on DynamoDB (the ``limits`` table).

Throttle: one counter item per rule and fixed window, ``window#<rule key>@<window start>``, counted by one
conditional UpdateItem (hits < limit); several rules are one TransactWriteItems, and a cancellation by a
failed condition means a window is full: nothing was counted.

ClientAttempts: one item per client key, ``attempts#<client>``. The next state (tries, the armed lock, when
the count is forgotten) needs a doubling, which an update expression cannot compute, so ``begin`` reads the
items in one TransactGetItems, refuses while any is locked, and writes the next state of every key in one
TransactWriteItems, each item conditioned on the version it read. A lost race (another try wrote first)
cancels the whole write and the try is read and decided again: so no two tries count from the same state,
and a lock, having been read as absent or passed, is only ever replaced by a later one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from smartdoor.adapters.aws.dynamo_items import conditional, from_micros, n, to_micros, ttl_seconds
from smartdoor.adapters.aws.errors import aws_errors
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.windows import window_key, window_start
from smartdoor.ports import Admission, AttemptRule, ThrottleRule

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, UpdateTypeDef

# How often one try may lose the race to another before it gives up (the caller answers "try again"). Each
# lost race means another try was counted, and a client's tries pass the free ones within a few rounds,
# after which every try is refused on the read: so a fleet of concurrent tries ends long before this.
MAX_RACES = 64


def window_update(table: str, rule: ThrottleRule, now: datetime) -> UpdateTypeDef:
    """Counting one event in ``rule``'s window holding ``now``, as an Update (UpdateItem's arguments, or a
    TransactWriteItems item): its condition fails when the window is full."""
    ends = window_start(now, rule.window) + rule.window
    return {
        "TableName": table,
        "Key": {"limitKey": {"S": f"window#{window_key(rule.key, now, rule.window)}"}},
        "UpdateExpression": "ADD hits :one SET expiresAt = :ttl",
        "ConditionExpression": "attribute_not_exists(hits) OR hits < :limit",
        "ExpressionAttributeValues": {
            ":one": n(1),
            ":limit": n(rule.limit),
            ":ttl": n(ttl_seconds(ends)),
        },
    }


class DynamoThrottle:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def acquire(self, key: str, limit: int, window: timedelta, now: datetime) -> bool:
        return self.acquire_all([ThrottleRule(key, limit, window)], now)

    def acquire_all(self, rules: Sequence[ThrottleRule], now: datetime) -> bool:
        if any(rule.limit <= 0 for rule in rules):
            return False
        if not rules:
            return True
        updates = [window_update(self._table, rule, now) for rule in rules]
        counted: object | None
        if len(updates) == 1:
            counted = conditional("count a rate limit", lambda: self._client.update_item(**updates[0]))
        else:
            items: list[TransactWriteItemTypeDef] = [{"Update": u} for u in updates]
            counted = conditional(
                "count rate limits", lambda: self._client.transact_write_items(TransactItems=items)
            )
        return counted is not None


@dataclass(frozen=True)
class _Seen:
    """A client key's item as read: its version is what the write is conditioned on (None: no item)."""

    version: int | None
    tries: int
    locked_until: int | None
    forget_at: int


def _attempts_key(client: str) -> dict[str, dict[str, str]]:
    return {"limitKey": {"S": f"attempts#{client}"}}


class DynamoAttempts:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def begin(self, rules: Sequence[AttemptRule], now: datetime) -> Admission:
        if not rules:
            return Admission(True, None)
        t = to_micros(now)
        for _ in range(MAX_RACES):
            seen = self._read(rules)
            locks = [s.locked_until for s in seen if s.locked_until is not None and s.locked_until > t]
            if locks:
                return Admission(False, from_micros(max(locks)))
            writes, armed = self._next(rules, seen, now)
            # A lost race (another try wrote first, or its transaction met ours): read and decide again.
            done = conditional("count a try at the door", partial(self._write, writes), conflicts_too=True)
            if done is not None:
                return Admission(True, max(armed) if armed else None)
        raise StorageUnavailable("could not count a try at the door: too many tries at once")

    def _read(self, rules: Sequence[AttemptRule]) -> list[_Seen]:
        with aws_errors("read a door client's tries"):
            answer = self._client.transact_get_items(
                TransactItems=[
                    {"Get": {"TableName": self._table, "Key": _attempts_key(r.client)}} for r in rules
                ]
            )
        return [_seen(response.get("Item")) for response in answer["Responses"]]

    def _next(
        self, rules: Sequence[AttemptRule], seen: Sequence[_Seen], now: datetime
    ) -> tuple[list[Any], list[datetime]]:
        t, writes, armed = to_micros(now), [], []
        for rule, before in zip(rules, seen, strict=True):
            tries = before.tries + 1 if before.version is not None and before.forget_at > t else 1
            until = rule.lockout.lock_until(tries, now)
            if until is not None:
                armed.append(until)
            forget_at = (until or now) + rule.lockout.forget_after
            item: dict[str, Any] = {
                **_attempts_key(rule.client),
                "tries": n(tries),
                "forgetAt": n(to_micros(forget_at)),
                "version": n((before.version or 0) + 1),
                "expiresAt": n(ttl_seconds(forget_at)),
            }
            if until is not None:  # a lock read as passed is replaced by a later one: it only extends
                item["lockedUntil"] = n(to_micros(until))
            put: dict[str, Any] = {"TableName": self._table, "Item": item}
            if before.version is None:
                put["ConditionExpression"] = "attribute_not_exists(limitKey)"
            else:
                put["ConditionExpression"] = "version = :seen"
                put["ExpressionAttributeValues"] = {":seen": n(before.version)}
            writes.append(put)
        return writes, armed

    def _write(self, writes: Sequence[Any]) -> object:
        if len(writes) == 1:
            return self._client.put_item(**writes[0])
        return self._client.transact_write_items(TransactItems=[{"Put": w} for w in writes])

    def forgive(self, clients: Sequence[str]) -> None:
        # Each delete alone: a forgiven key has no guarantee to keep with the others.
        with aws_errors("forgive a door client"):
            for client in clients:
                self._client.delete_item(TableName=self._table, Key=_attempts_key(client))


def _seen(item: Mapping[str, Any] | None) -> _Seen:
    if not item:
        return _Seen(None, 0, None, 0)
    locked = item.get("lockedUntil")
    return _Seen(
        int(item["version"]["N"]),
        int(item["tries"]["N"]),
        int(locked["N"]) if locked is not None else None,
        int(item["forgetAt"]["N"]),
    )
