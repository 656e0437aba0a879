"""Sends the DynamoDB outbox's messages after commit, each once: claim, send, mark sent.

A plain class, so a Lambda on the outbox table's stream (``dispatch`` each new message id) or a loop
(``run_once`` over the sparse ``unsent`` index, which also picks up whatever a crash left) can run it.

Exactly once, as far as a provider without an idempotency key allows:

- **Claim**: one conditional UpdateItem moves a message from unsent to claimed by this dispatcher until
  ``now + lease``. Another dispatcher, or this one processing the same message again, loses the condition
  and sends nothing.
- **A crash after the claim and before the send** leaves the message claimed; when the lease ends, the next
  run claims it again and sends it. Nothing is lost.
- **A crash after the send and before the mark** (the process dies, or the mark's write fails) sends the
  message a second time when the lease ends: SES and SNS take no idempotency key, so nothing on their side
  can refuse the repeat. The window is kept to that single call: the mark is the very next request.
- A provider that fails (StorageUnavailable) gets the message back after a backoff, kept in the item; one
  that refuses it for good (InvalidInput: a number SNS cannot text) takes it out of the ``unsent`` index with
  the reason, instead of retrying forever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from smartdoor.adapters.aws.dynamo_items import n, s, to_micros
from smartdoor.adapters.aws.dynamo_outbox import message_from, tries
from smartdoor.adapters.aws.errors import CONDITION_FAILED, aws_errors, error_code
from smartdoor.adapters.aws.tables import ALL, OUTBOX
from smartdoor.domain.errors import InvalidInput, StorageUnavailable
from smartdoor.domain.model import Email
from smartdoor.ports import Clock, Mailer, SmsSender

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        UpdateItemInputTypeDef,
        UpdateItemOutputTypeDef,
    )

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # far longer than one SES or SNS call with botocore's retries
KEEP_SENT = timedelta(days=7)  # then the table's TTL removes a sent message
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(minutes=15)
_MAX_ERROR = 1000


def retry_delay(failures: int) -> timedelta:
    """30 s after the first failure, doubling, at most 15 min."""
    return min(FIRST_RETRY * (1 << min(max(failures - 1, 0), 16)), MAX_RETRY)


@dataclass(frozen=True)
class Sweep:
    """What one bounded sweep did: messages sent, messages tried, and why it stopped before the index
    ran out (``"limit"``, ``"time"``, ``"unavailable"``), or None when nothing claimable was left."""

    sent: int
    tried: int
    stopped: str | None


class OutboxDispatcher:
    """``dispatcher_id`` names this runner (a Lambda request id, a host and pid) in the claims it takes."""

    def __init__(
        self,
        client: DynamoDBClient,
        mailer: Mailer,
        sms: SmsSender,
        clock: Clock,
        dispatcher_id: str,
        table_name: str = OUTBOX.default_name,
        lease: timedelta = LEASE,
        batch: int = 25,
    ) -> None:
        self._client = client
        self._mailer = mailer
        self._sms = sms
        self._clock = clock
        self._me = dispatcher_id
        self._table = table_name
        self._lease = lease
        self._batch = batch

    @property
    def dispatcher_id(self) -> str:
        return self._me

    def with_id(self, dispatcher_id: str) -> OutboxDispatcher:
        """The same dispatcher (clients, senders, table) claiming under another name: one per Lambda request,
        over the clients its container built once."""
        return OutboxDispatcher(
            self._client,
            self._mailer,
            self._sms,
            self._clock,
            dispatcher_id,
            self._table,
            self._lease,
            self._batch,
        )

    def due(self) -> list[str]:
        """Message ids still unsent, oldest first (claimed ones too: the claim decides)."""
        with aws_errors("find unsent messages"):
            response = self._client.query(
                TableName=self._table,
                IndexName="unsent",
                KeyConditionExpression="unsent = :all",
                ExpressionAttributeValues={":all": s(ALL)},
                ScanIndexForward=True,
                Limit=self._batch,
            )
        return [item["messageId"]["S"] for item in response.get("Items", [])]

    def run_once(self) -> int:
        """Try every due message once; return how many this run sent."""
        return sum(self.dispatch(message_id) for message_id in self.due())

    def sweep(self, limit: int, keep_going: Callable[[], bool]) -> Sweep:
        """Try the claimable messages oldest first, page by page, until none is left, ``limit`` were tried or
        ``keep_going()`` says no (asked before each page and each message: a Lambda's remaining time).

        Only claimable ones are tried (the query filters out live claims and backoffs), so messages held
        by a backoff at the head of the index cost no write and never keep the newer ones from their turn.
        An SES or SNS failure is the message's backoff, and the sweep goes on; a DynamoDB outage ends it
        (the next sweep starts over): every message not marked sent stays in the index.
        """
        sent = tried = 0
        start: dict[str, AttributeValueTypeDef] | None = None
        while True:
            if not keep_going():
                return Sweep(sent, tried, "time")
            try:
                page, start = self._claimable_page(start)
                for message_id in page:
                    if tried >= limit:
                        return Sweep(sent, tried, "limit")
                    if not keep_going():
                        return Sweep(sent, tried, "time")
                    tried += 1
                    sent += self.dispatch(message_id)
            except StorageUnavailable as exc:
                log.warning("outbox: sweep stopped after %d sent, storage unavailable: %s", sent, exc)
                return Sweep(sent, tried, "unavailable")
            if start is None:
                return Sweep(sent, tried, None)

    def _claimable_page(
        self, start: dict[str, AttributeValueTypeDef] | None
    ) -> tuple[list[str], dict[str, AttributeValueTypeDef] | None]:
        request: QueryInputTypeDef = {
            "TableName": self._table,
            "IndexName": "unsent",
            "KeyConditionExpression": "unsent = :all",
            # The claim's own condition, read side: what a claim would refuse is not worth its write.
            "FilterExpression": "attribute_not_exists(claimedUntil) OR claimedUntil <= :now",
            "ExpressionAttributeValues": {":all": s(ALL), ":now": n(to_micros(self._clock.now()))},
            "ScanIndexForward": True,
            "Limit": self._batch,
        }
        if start is not None:
            request["ExclusiveStartKey"] = start
        with aws_errors("find claimable messages"):
            response = self._client.query(**request)
        ids = [item["messageId"]["S"] for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return ids, (dict(last) if last else None)

    def dispatch(self, message_id: str) -> bool:
        """Claim, send, mark one message; False when another runner holds it or it is already sent."""
        item = self._claim(message_id)
        if item is None:
            return False
        message = message_from(item)
        try:
            if isinstance(message, Email):
                self._mailer.send(message)
            else:
                self._sms.send(message)
        except StorageUnavailable as exc:
            self._failed(message_id, str(exc), give_up=False, failures=tries(item))
            return False
        except InvalidInput as exc:
            self._failed(message_id, exc.message, give_up=True, failures=tries(item))
            return False
        self._mark_sent(message_id)
        return True

    def _claim(self, message_id: str) -> dict[str, AttributeValueTypeDef] | None:
        now = self._clock.now()
        response = self._update(
            "claim a message",
            {
                "TableName": self._table,
                "Key": {"messageId": s(message_id)},
                "UpdateExpression": "SET claimedUntil = :until, claimedBy = :me ADD tries :one",
                "ConditionExpression": (
                    "attribute_exists(unsent)"
                    " AND (attribute_not_exists(claimedUntil) OR claimedUntil <= :now)"
                ),
                "ExpressionAttributeValues": {
                    ":until": n(to_micros(now + self._lease)),
                    ":me": s(self._me),
                    ":one": n(1),
                    ":now": n(to_micros(now)),
                },
                "ReturnValues": "ALL_NEW",
            },
        )
        # None: sent already, or held by a live claim (another runner's, or a backoff).
        return dict(response["Attributes"]) if response is not None else None

    def _update(self, action: str, request: UpdateItemInputTypeDef) -> UpdateItemOutputTypeDef | None:
        """One conditional UpdateItem; None when its condition failed, other errors as domain errors."""
        with aws_errors(action):
            try:
                return self._client.update_item(**request)
            except ClientError as exc:
                if error_code(exc) in CONDITION_FAILED:
                    return None
                raise

    def _mark_sent(self, message_id: str) -> None:
        now = self._clock.now()
        marked = self._update(
            "mark a message sent",
            {
                "TableName": self._table,
                "Key": {"messageId": s(message_id)},
                "UpdateExpression": "REMOVE unsent, claimedUntil, lastError"
                " SET sentAt = :now, sentBy = :me, expiresAt = :ttl",
                "ConditionExpression": "claimedBy = :me",
                "ExpressionAttributeValues": {
                    ":now": n(to_micros(now)),
                    ":me": s(self._me),
                    ":ttl": n(int((now + KEEP_SENT).timestamp())),
                },
            },
        )
        if marked is None:
            # Our lease ran out during the send and another runner claimed it: it may send once more.
            log.warning("outbox: message %s was sent after its lease ended; it may go out twice", message_id)

    def _failed(self, message_id: str, error: str, give_up: bool, failures: int) -> None:
        now = self._clock.now()
        values: dict[str, AttributeValueTypeDef] = {
            ":error": s(error[:_MAX_ERROR] or "failed"),
            ":me": s(self._me),
        }
        if give_up:
            update = "REMOVE unsent, claimedUntil SET lastError = :error, failedAt = :now"
            values[":now"] = n(to_micros(now))
        else:
            # The claim becomes the backoff: no runner takes it before the retry time.
            update = "SET claimedUntil = :retry, lastError = :error"
            values[":retry"] = n(to_micros(now + retry_delay(failures)))
        log.warning(
            "outbox: message %s not sent (try %d, %s): %s",
            message_id,
            failures,
            "given up" if give_up else "will retry",
            error,
        )
        self._update(
            "record a failed send",
            {
                "TableName": self._table,
                "Key": {"messageId": s(message_id)},
                "UpdateExpression": update,
                "ConditionExpression": "claimedBy = :me",
                "ExpressionAttributeValues": values,
            },
        )
