"""A Kinesis event source mapping, offline: polls each shard of the stream on the moto server and invokes a
handler with Lambda's own event, applying the mapping's settings as Lambda does.

- A batch is at most BatchSize records of one shard, in order; the shard's checkpoint moves past a batch only
  once it succeeded or was given up, so nothing after a failing record is handed on before it.
- With ReportBatchItemFailures, a response naming failed records re-delivers from the lowest of them (the
  records before it are checkpointed); a failure naming no record of the batch fails the whole batch.
- A function error (the handler raised) with BisectBatchOnFunctionError splits the batch in two, each half
  retried on its own; halving carries the failures counted so far, so a record that always fails is tried
  at most MaximumRetryAttempts + 1 times however the batch was split.
- A batch whose failures exceed MaximumRetryAttempts, or whose records are older than
  MaximumRecordAgeInSeconds, is given up: its position (never its data) goes to the on-failure SQS queue in
  the shape Lambda sends, and the shard moves on.

Each shard is polled about once a second, as Lambda does, and at once again after a batch that had records.
Retries follow one another without Lambda's backoff: offline there is nothing to wait for.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from smartdoor_cdk.offline.event_source_mapping import EventSourceMapping
from smartdoor_cdk.offline.kinesis_events import GiveUp, Source, StreamRecord, failure_record, lambda_event

log = logging.getLogger("smartdoor.offline.kinesis")

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class InvocationContext:
    """The parts of Lambda's context object a handler reads."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@dataclass
class _Outcome:
    request_id: str
    failed_from: int | None  # index of the first record to re-deliver; None when the batch succeeded
    function_error: str | None = None


@dataclass
class Invocation:
    """One call of the handler, for a test to look at: the sequence numbers it was given and how it ended."""

    shard_id: str
    sequence_numbers: tuple[str, ...]
    function_error: str | None
    failed_from: int | None


@dataclass
class KinesisPoller:
    kinesis: Any  # a boto3 Kinesis client of the moto server
    mapping: EventSourceMapping
    handler: Handler
    function_arn: str
    role_arn: str
    region: str
    sqs: Any = None  # a boto3 SQS client; needed when the mapping has an on-failure destination
    now: Callable[[], float] = time.time
    request_ids: Callable[[], str] = lambda: str(uuid.uuid4())
    poll_interval: float = 1.0
    invocations: list[Invocation] = field(default_factory=list)
    checkpoints: dict[str, str] = field(default_factory=dict)  # shard id → last sequence number done with
    rounds: int = 0  # poll rounds begun: one GetRecords per shard each

    def __post_init__(self) -> None:
        self._iterators: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._queue_url: str | None = None
        self._source = Source(self.mapping.stream_arn, self.region, self.role_arn)

    def open(self) -> None:
        """Take a shard iterator for every shard at the mapping's starting position (LATEST: from now on).
        The shards are those open now: a resharding later is not followed."""
        if not self.mapping.reads_kinesis:
            raise ValueError(
                f"{self.mapping.stream_arn} is not a Kinesis stream: this poller reads only those"
            )
        shards = self.kinesis.list_shards(StreamName=self.mapping.stream_name)["Shards"]
        for shard in shards:
            self._iterators[shard["ShardId"]] = self._iterator(shard["ShardId"])
        if self.mapping.on_failure_arn is not None:
            if self.sqs is None:
                raise ValueError("the mapping has an on-failure queue: the poller needs an SQS client")
            queue_name = self.mapping.on_failure_arn.rsplit(":", 1)[1]
            self._queue_url = self.sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]

    def start(self) -> None:
        """open(), then poll on a thread until stop()."""
        self.open()
        self._thread = threading.Thread(
            target=self._run, name=f"kinesis-{self.mapping.stream_name}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> bool:
        """Ask the thread to stop and wait for it at most ``timeout`` seconds; True once it has."""
        self._stop.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def poll_once(self) -> int:
        """One GetRecords per shard, each batch handled to its end; the number of records read."""
        read = 0
        self.rounds += 1
        for shard_id in list(self._iterators):
            if self._stop.is_set():
                break
            try:
                response = self.kinesis.get_records(
                    ShardIterator=self._iterators[shard_id], Limit=self.mapping.batch_size
                )
            except self.kinesis.exceptions.ExpiredIteratorException:
                self._iterators[shard_id] = self._iterator(shard_id)
                continue
            records = [StreamRecord.from_get_records(shard_id, r) for r in response["Records"]]
            if records and self._deliver(records):
                self.checkpoints[shard_id] = records[-1].sequence_number
            elif records:
                break  # stopped mid-batch: the checkpoint stays before it, as a restarted poller reads again
            read += len(records)
            following = response.get("NextShardIterator")
            if following is None:  # a closed shard (resharded) read to its end
                del self._iterators[shard_id]
            else:
                self._iterators[shard_id] = following
        return read

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                read = self.poll_once()
            except (BotoCoreError, ClientError):
                log.exception("polling %s failed; trying again", self.mapping.stream_name)
                read = 0
            if not read:
                self._stop.wait(self.poll_interval)

    def _iterator(self, shard_id: str) -> str:
        request: dict[str, Any] = {"StreamName": self.mapping.stream_name, "ShardId": shard_id}
        if shard_id in self.checkpoints:
            request |= {
                "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                "StartingSequenceNumber": self.checkpoints[shard_id],
            }
        else:
            request["ShardIteratorType"] = self.mapping.starting_position
        iterator: str = self.kinesis.get_shard_iterator(**request)["ShardIterator"]
        return iterator

    def _deliver(self, records: list[StreamRecord]) -> bool:
        """Handle one batch to its end (success or given up); False if stopped before that."""
        pending: deque[tuple[list[StreamRecord], int]] = deque([(records, 0)])
        while pending:
            if self._stop.is_set():
                return False
            batch, failures = pending.popleft()
            batch = self._drop_expired(batch, failures)
            if not batch:
                continue
            outcome = self._invoke(batch)
            if outcome.failed_from is None:
                continue
            failures += 1
            remaining = batch[outcome.failed_from :]
            retries = self.mapping.max_retries
            if retries >= 0 and failures > retries:
                give_up = GiveUp("RetryAttemptsExhausted", failures, outcome.function_error)
                self._give_up(remaining, give_up, outcome.request_id)
            elif outcome.function_error is not None and self.mapping.bisect_on_error and len(remaining) > 1:
                middle = len(remaining) // 2
                pending.appendleft((remaining[middle:], failures))
                pending.appendleft((remaining[:middle], failures))
            else:
                pending.appendleft((remaining, failures))
        return True

    def _drop_expired(self, batch: list[StreamRecord], failures: int) -> list[StreamRecord]:
        limit = self.mapping.max_record_age_seconds
        if limit < 0:
            return batch
        now = self.now()
        expired = [r for r in batch if now - r.arrived > limit]
        if expired:
            self._give_up(expired, GiveUp("RecordAgeExceeded", failures, None))
        return [r for r in batch if now - r.arrived <= limit]

    def _invoke(self, batch: list[StreamRecord]) -> _Outcome:
        context = InvocationContext(self.mapping.function_name, self.function_arn, self.request_ids())
        try:
            response = self.handler(lambda_event(batch, self._source), context)
        except Exception:  # a function error, whatever the function raised: Lambda sees only that it failed
            log.exception("%s failed on a batch of %d", self.mapping.function_name, len(batch))
            outcome = _Outcome(context.aws_request_id, 0, "Unhandled")
        else:
            outcome = _Outcome(context.aws_request_id, self._first_failed(batch, response))
        self.invocations.append(
            Invocation(
                batch[0].shard_id,
                tuple(r.sequence_number for r in batch),
                outcome.function_error,
                outcome.failed_from,
            )
        )
        return outcome

    def _first_failed(self, batch: list[StreamRecord], response: Any) -> int | None:
        if not self.mapping.report_batch_item_failures or not isinstance(response, dict):
            return None
        failures = response.get("batchItemFailures") or []
        positions = {r.sequence_number: n for n, r in enumerate(batch)}
        named = [f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures]
        found = [positions.get(item) if isinstance(item, str) else None for item in named]
        if any(n is None for n in found):
            return 0  # Lambda's rule: a failure it cannot place fails the whole batch
        return min((n for n in found if n is not None), default=None)

    def _give_up(self, records: list[StreamRecord], give_up: GiveUp, request_id: str | None = None) -> None:
        """Send the batch's position to the on-failure queue, under its last invocation's request id."""
        log.error(
            "%s gave up records %s..%s of %s: %s",
            self.mapping.function_name,
            records[0].sequence_number,
            records[-1].sequence_number,
            records[0].shard_id,
            give_up.condition,
        )
        if self._queue_url is None:
            return
        document = failure_record(
            records, self._source, self.function_arn, request_id or self.request_ids(), give_up, self.now()
        )
        self.sqs.send_message(QueueUrl=self._queue_url, MessageBody=json.dumps(document))
