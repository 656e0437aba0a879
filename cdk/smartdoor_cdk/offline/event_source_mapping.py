"""An AWS::Lambda::EventSourceMapping's properties (resolved), with Lambda's defaults where the template
sets none: what the Kinesis poller needs to behave as the deployed trigger does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EventSourceMapping:
    function_name: str
    stream_arn: str
    starting_position: str = "LATEST"  # TRIM_HORIZON, LATEST (AT_TIMESTAMP is not polled offline)
    batch_size: int = 100
    bisect_on_error: bool = False
    max_retries: int = -1  # -1: until the records expire, as Lambda's default
    max_record_age_seconds: int = -1  # -1: no limit
    report_batch_item_failures: bool = False
    on_failure_arn: str | None = None  # an SQS queue's ARN

    @property
    def reads_kinesis(self) -> bool:
        """False for a DynamoDB stream's mapping (returned by the stand-up, not polled offline)."""
        return self.stream_arn.startswith("arn:aws:kinesis:")

    @property
    def stream_name(self) -> str:
        return self.stream_arn.split(":stream/", 1)[1]

    @classmethod
    def from_properties(cls, properties: dict[str, Any]) -> EventSourceMapping:
        responses = properties.get("FunctionResponseTypes", [])
        on_failure = properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        return cls(
            function_name=str(properties["FunctionName"]),
            stream_arn=str(properties["EventSourceArn"]),
            starting_position=str(properties.get("StartingPosition", "LATEST")),
            batch_size=int(properties.get("BatchSize", 100)),
            bisect_on_error=bool(properties.get("BisectBatchOnFunctionError", False)),
            max_retries=int(properties.get("MaximumRetryAttempts", -1)),
            max_record_age_seconds=int(properties.get("MaximumRecordAgeInSeconds", -1)),
            report_batch_item_failures="ReportBatchItemFailures" in responses,
            on_failure_arn=str(on_failure) if on_failure else None,
        )
