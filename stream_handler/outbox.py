"""The outbox sender Lambda: sends the DynamoDB outbox's emails (SES) and SMS (SNS), each once.

Handler setting ``stream_handler.outbox.handler``, with two triggers, told apart by the event's shape:

- **The outbox table's stream** (a batch of ``Records`` from ``aws:dynamodb``): the fast path. Each INSERT or
  MODIFY whose new image is unsent and unclaimed (``unsent`` set, no ``claimedUntil``: a new message, or a
  held email just released with its photo) is dispatched under the request's id. Everything else is skipped:
  REMOVE (the TTL of a sent message), a sent or given-up image (no ``unsent``), a held email (no ``unsent``
  until its photo comes), and the images of the dispatcher's own writes (a claim, a backoff: they carry
  ``claimedUntil``), so the sender's writes never wake it again.
  A transient failure fails no record: SES or SNS failing is recorded by the dispatcher in the item (a
  backoff), and a DynamoDB outage leaves the message unclaimed, or claimed until its lease ends; either way
  it stays in the ``unsent`` index, where the sweep finds it. So a provider outage never holds the shard, and
  nothing is lost. Only something unexpected (a bug, an item that cannot be read) is the record's batch item
  failure; its re-delivery finds the message claimed by the failed try and skips it, and the sweep takes it
  again when that lease ends.
- **An EventBridge scheduled event** (``source`` ``aws.events``, ``detail-type`` ``Scheduled Event``): the
  safety net. One bounded sweep of the ``unsent`` index sends what a crash, a lapsed lease or a backoff left:
  at most SWEEP_LIMIT messages tried, and none started with less than SWEEP_RESERVE of the invocation's
  time left, so a run ends well before the Lambda's timeout, mid-send never.

Sending is the dispatcher's (smartdoor/adapters/aws/outbox_dispatcher.py): claim with a lease, send, mark
sent, so a stream batch delivered again, two invocations at once, or the stream and the sweep on one message,
send it once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from smartdoor.domain.errors import StorageUnavailable
from smartdoor.edges.lambda_outbox import get_dispatcher

if TYPE_CHECKING:
    from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher

log = logging.getLogger("smartdoor.outbox_sender")

SWEEP_LIMIT = 200  # messages tried per scheduled run: a backlog drains over a few runs, never in one
# Left unused at the end of a run: more than one claim, send and mark with botocore's retries usually take.
SWEEP_RESERVE = timedelta(seconds=30)


class UnknownTrigger(ValueError):
    """An event neither the outbox table's stream nor an EventBridge schedule sends."""


def handler(event: dict[str, Any], context: Any) -> Mapping[str, Any]:
    """A stream batch's partial batch response, or a sweep's summary (sent, tried, stopped)."""
    if _is_stream_batch(event):
        dispatcher = get_dispatcher(_request_id(context))
        # A processor per invocation: it keeps the batch's outcomes, so two invocations never share one.
        processor = BatchProcessor(EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
        return process_partial_response(
            event=event,
            record_handler=lambda record: _handle_record(dispatcher, record),
            processor=processor,
            context=context,
        )
    if event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event":
        return _sweep(get_dispatcher(_request_id(context)), context)
    raise UnknownTrigger(f"not an outbox stream batch or a scheduled event: keys {sorted(event)}")


def due_message(record: dict[str, Any]) -> str | None:
    """The message id a stream record asks to send, or None when there is nothing for it to send."""
    if record.get("eventName") not in ("INSERT", "MODIFY"):
        return None
    change = record.get("dynamodb")
    image = change.get("NewImage") if isinstance(change, dict) else None
    if not isinstance(image, dict) or "unsent" not in image or "claimedUntil" in image:
        return None
    key = image.get("messageId")
    message_id = key.get("S") if isinstance(key, dict) else None
    return message_id if isinstance(message_id, str) and message_id else None


def _handle_record(dispatcher: OutboxDispatcher, record: DynamoDBRecord) -> None:
    message_id = due_message(record.raw_event)
    if message_id is None:
        return
    try:
        sent = dispatcher.dispatch(message_id)
    except StorageUnavailable as exc:
        # Still in the unsent index: the sweep sends it. Failing the record would only hold the shard.
        log.warning("outbox: message %s left to the sweep: %s", message_id, exc)
        return
    log.info("outbox: message %s %s", message_id, "sent" if sent else "not sent by this run")


def _sweep(dispatcher: OutboxDispatcher, context: Any) -> dict[str, Any]:
    reserve_ms = SWEEP_RESERVE.total_seconds() * 1000

    def keep_going() -> bool:
        return bool(context.get_remaining_time_in_millis() > reserve_ms)

    done = dispatcher.sweep(SWEEP_LIMIT, keep_going)
    summary = {"sent": done.sent, "tried": done.tried, "stopped": done.stopped}
    if done.tried or done.stopped:
        log.info("outbox sweep: %s", summary)
    return summary


def _is_stream_batch(event: dict[str, Any]) -> bool:
    records = event.get("Records")
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) and r.get("eventSource") == "aws:dynamodb" for r in records)
    )


def _request_id(context: Any) -> str:
    request_id = getattr(context, "aws_request_id", None)
    if not isinstance(request_id, str) or not request_id:
        raise UnknownTrigger("no Lambda context with a request id: the claims need a runner's name")
    return request_id
