"""The outbox sender: the Lambda that sends the outbox table's messages through SES and SNS after commit.

Two triggers run the same dispatcher (smartdoor/adapters/aws/outbox_dispatcher.py): the outbox table's
DynamoDB stream, for each message as soon as it is due, and a sweep every minute over the sparse ``unsent``
index, for what the stream could not send (a provider's backoff, a crash after a claim, a record given up on).
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from smartdoor_cdk import alarms
from smartdoor_cdk.door_access import allow
from smartdoor_cdk.functions import door_function
from smartdoor_cdk.messaging import Messaging
from smartdoor_cdk.schedules import every_minute

BATCH_SIZE = 10
RETRIES = 5
# Older than this, a record's message is the sweep's: it reads the table, not the stream.
MAX_RECORD_AGE = Duration.hours(1)
UNSENT_INDEX = "unsent"
# Only a message that is due wakes the sender: its item holds `unsent` (a held email waiting for its photo
# does not yet, a sent one no longer does) and no `claimedBy` (a claim's own write, or a failed send's
# backoff, would only lose the claim it starts with).
DUE_MESSAGES = {
    "dynamodb": {
        "NewImage": {
            UNSENT_INDEX: {"S": lambda_.FilterRule.exists()},
            "claimedBy": {"S": lambda_.FilterRule.not_exists()},
        }
    }
}


class OutboxSender(Construct):
    """``function``, its on-failure queue ``dead_letters`` and its ``alarms``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        table: dynamodb.ITable,
        messaging: Messaging,
        environment: Mapping[str, str],
    ) -> None:
        super().__init__(scope, id)
        self.function = door_function(
            self,
            "Sender",
            package="stream_handler",
            handler="stream_handler.outbox.handler",
            description="Smart Door: send the outbox's emails (SES) and SMS (SNS)",
            timeout=Duration.seconds(60),
            environment=environment,
        )
        self.dead_letters = sqs.Queue(
            self,
            "SenderFailures",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.function.add_event_source(
            sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.LATEST,
                batch_size=BATCH_SIZE,
                bisect_batch_on_error=True,
                retry_attempts=RETRIES,
                max_record_age=MAX_RECORD_AGE,
                report_batch_item_failures=True,
                on_failure=sources.SqsDlq(self.dead_letters),
                filters=[lambda_.FilterCriteria.filter(DUE_MESSAGES)],
            )
        )
        every_minute(self, "Sweep", self.function, "Smart Door: the outbox sender's sweep of unsent messages")
        # The dispatcher's calls: claim, mark sent and record a failure are UpdateItems on the table; the
        # sweep Queries the unsent index. It never reads an item otherwise (the claim returns it).
        allow(self.function, ["dynamodb:UpdateItem"], [table.table_arn])
        allow(self.function, ["dynamodb:Query"], [f"{table.table_arn}/index/{UNSENT_INDEX}"])
        messaging.grant_send(self.function)
        self.alarms = [
            alarms.on_errors(self, self.function, "OutboxSender"),
            alarms.on_dead_letters(self, self.dead_letters, "OutboxSender"),
            alarms.on_iterator_age(self, self.function, "OutboxSender", "Outbox messages"),
        ]
