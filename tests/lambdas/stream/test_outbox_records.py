"""The outbox sender's reading of its events, on the canonical ones of tests/events/: which stream records
ask for a send, and that an event of neither trigger is refused before anything is built. No I/O."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stream_handler import outbox
from stream_handler.outbox import UnknownTrigger, due_message

from .conftest import record_json

pytestmark = pytest.mark.lambdas


class Context:
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def stream_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = record_json("dynamodb/outbox_stream.json")["Records"]
    return records


def test_only_a_new_unclaimed_unsent_image_asks_for_a_send() -> None:
    insert, claimed, removed = stream_records()
    assert [due_message(r) for r in (insert, claimed, removed)] == [
        "sms:passcode:5f2b9c1e:1795867200000000",
        None,  # the dispatcher's own claim
        None,  # TTL's removal of a sent message
    ]


def test_a_sent_or_held_image_asks_for_nothing() -> None:
    insert = stream_records()[0]
    sent = copy.deepcopy(insert)
    sent["eventName"] = "MODIFY"
    del sent["dynamodb"]["NewImage"]["unsent"]  # marked sent, given up on, or held for its photo
    released = copy.deepcopy(insert)
    released["eventName"] = "MODIFY"  # a held email released with its photo: unsent, never claimed
    assert (due_message(sent), due_message(released)) == (None, "sms:passcode:5f2b9c1e:1795867200000000")


@pytest.mark.parametrize(
    "record",
    [
        {"eventName": "INSERT"},
        {"eventName": "INSERT", "dynamodb": {"NewImage": {"unsent": {"S": "ALL"}}}},
        {"eventName": "INSERT", "dynamodb": {"NewImage": {"unsent": {"S": "ALL"}, "messageId": {"N": "1"}}}},
        {"eventName": "INSERT", "dynamodb": "not an object"},
    ],
)
def test_a_record_without_a_message_id_asks_for_nothing(record: dict[str, Any]) -> None:
    assert due_message(record) is None


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"Records": []},
        {"Records": [{"eventSource": "aws:kinesis"}]},
        {"source": "aws.events", "detail-type": "Object Created"},
        {"Records": [{"eventSource": "aws:s3"}]},
    ],
)
def test_an_event_of_neither_trigger_is_refused(event: dict[str, Any]) -> None:
    with pytest.raises(UnknownTrigger):
        outbox.handler(event, Context())


def test_a_scheduled_run_without_a_request_id_is_refused() -> None:
    with pytest.raises(UnknownTrigger, match="request id"):
        outbox.handler(record_json("eventbridge/scheduled_event.json"), None)
