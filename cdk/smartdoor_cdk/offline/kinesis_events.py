"""The documents Lambda's Kinesis trigger exchanges: the event a function receives for a batch, and the
record it sends to the on-failure destination for a batch it gives up on."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class StreamRecord:
    """A record as GetRecords returns it, with the shard it came from."""

    shard_id: str
    sequence_number: str
    partition_key: str
    data: bytes
    arrived: float  # ApproximateArrivalTimestamp, epoch seconds

    @classmethod
    def from_get_records(cls, shard_id: str, record: dict[str, Any]) -> StreamRecord:
        arrived = record["ApproximateArrivalTimestamp"]
        return cls(
            shard_id=shard_id,
            sequence_number=record["SequenceNumber"],
            partition_key=record["PartitionKey"],
            data=record["Data"],
            arrived=arrived.timestamp() if isinstance(arrived, datetime) else float(arrived),
        )


@dataclass(frozen=True)
class Source:
    """Who reads the stream: the fields every record of the event repeats."""

    stream_arn: str
    region: str
    role_arn: str  # invokeIdentityArn: the function's execution role


def lambda_event(records: list[StreamRecord], source: Source) -> dict[str, Any]:
    """The event Lambda invokes a function with for one batch (one shard's records, in order)."""
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": r.partition_key,
                    "sequenceNumber": r.sequence_number,
                    "data": base64.b64encode(r.data).decode(),
                    "approximateArrivalTimestamp": r.arrived,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{r.shard_id}:{r.sequence_number}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": source.role_arn,
                "awsRegion": source.region,
                "eventSourceARN": source.stream_arn,
            }
            for r in records
        ]
    }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class GiveUp:
    """Why a batch went to the on-failure destination, and how its last invocation ended."""

    condition: str  # RetryAttemptsExhausted | RecordAgeExceeded
    invocations: int
    function_error: str | None  # "Unhandled" when the function raised; None for reported item failures


def failure_record(
    records: list[StreamRecord],
    source: Source,
    function_arn: str,
    request_id: str,
    give_up: GiveUp,
    now: float,
) -> dict[str, Any]:
    """What Lambda sends to an SQS on-failure destination: the batch's position, never its data."""
    document: dict[str, Any] = {
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": give_up.condition,
            "approximateInvokeCount": give_up.invocations,
        },
        "version": "1.0",
        "timestamp": _iso(now),
        "KinesisBatchInfo": {
            "shardId": records[0].shard_id,
            "startSequenceNumber": records[0].sequence_number,
            "endSequenceNumber": records[-1].sequence_number,
            "approximateArrivalOfFirstRecord": _iso(records[0].arrived),
            "approximateArrivalOfLastRecord": _iso(records[-1].arrived),
            "batchSize": len(records),
            "streamArn": source.stream_arn,
        },
    }
    if give_up.invocations:
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if give_up.function_error is not None:
            response["functionError"] = give_up.function_error
        document["responseContext"] = response
    return document
