"""An event source mapping's resolved properties, with Lambda's defaults where CDK sets none."""

from __future__ import annotations

import pytest

from smartdoor_cdk.offline.event_source_mapping import EventSourceMapping
from smartdoor_cdk.offline.kinesis_poller import KinesisPoller

pytestmark = pytest.mark.unit

STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/AmazonRekognition-front-door"
TABLE_STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/outbox/stream/2026-12-01T12:00:00.000"


def test_unset_properties_take_lambdas_defaults() -> None:
    mapping = EventSourceMapping.from_properties({"FunctionName": "handler", "EventSourceArn": STREAM})
    assert mapping == EventSourceMapping("handler", STREAM)
    assert (mapping.batch_size, mapping.max_retries, mapping.max_record_age_seconds) == (100, -1, -1)
    assert mapping.starting_position == "LATEST"
    assert not mapping.bisect_on_error
    assert not mapping.report_batch_item_failures
    assert mapping.on_failure_arn is None
    assert mapping.stream_name == "AmazonRekognition-front-door"


def test_a_dynamodb_stream_mapping_is_read_but_not_polled() -> None:
    mapping = EventSourceMapping.from_properties({"FunctionName": "sender", "EventSourceArn": TABLE_STREAM})
    assert not mapping.reads_kinesis
    poller = KinesisPoller(object(), mapping, lambda event, context: None, "arn:fn", "arn:role", "us-east-1")
    with pytest.raises(ValueError, match="not a Kinesis stream"):
        poller.open()
