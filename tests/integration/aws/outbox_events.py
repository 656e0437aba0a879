"""The outbox sender Lambda's events as Lambda delivers them, built from the real items on the moto server:
a DynamoDB stream batch of the outbox table (the canonical record of tests/events/dynamodb/ with the item's
keys and new image), the EventBridge schedule's event, and a Lambda context whose time left counts down."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .conftest import Aws

EVENTS = Path(__file__).resolve().parents[2] / "events"


def canonical(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return loaded


def _wire(value: Any) -> Any:
    """boto3's attribute values as the stream's JSON carries them: binary as base64 text."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def stored_item(aws: Aws, message_id: str) -> dict[str, Any]:
    item: dict[str, Any] = aws.dynamodb().get_item(
        TableName="outbox", Key={"messageId": {"S": message_id}}, ConsistentRead=True
    )["Item"]
    return item


def stream_event(aws: Aws, message_ids: Iterable[str], event_name: str = "INSERT") -> dict[str, Any]:
    """One stream record per message, its NewImage the item as stored now (NEW_IMAGE, as tables.py sets)."""
    template = canonical("dynamodb/outbox_stream.json")["Records"][0]
    records = []
    for n, message_id in enumerate(message_ids, start=1):
        record = copy.deepcopy(template)
        record["eventName"] = event_name
        record["eventID"] = f"{n:032x}"
        change = record["dynamodb"]
        change["Keys"] = {"messageId": {"S": message_id}}
        change["NewImage"] = _wire(stored_item(aws, message_id))
        change["SequenceNumber"] = f"2{n:023d}"
        records.append(record)
    wired: dict[str, Any] = json.loads(json.dumps({"Records": records}))  # as off the wire
    return wired


def scheduled_event() -> dict[str, Any]:
    return canonical("eventbridge/scheduled_event.json")


@dataclass
class LambdaContext:
    """The parts of Lambda's context the handler reads; each look at the remaining time takes ``step_ms``."""

    aws_request_id: str
    remaining_ms: int = 60_000
    step_ms: int = 0
    looks: list[int] = field(default_factory=list)

    def get_remaining_time_in_millis(self) -> int:
        left = self.remaining_ms - self.step_ms * len(self.looks)
        self.looks.append(left)
        return left
