"""The door's CloudWatch alarms: one kind per failure a function can hide (errors, events given up on,
a trigger falling behind), so every function, dead-letter queue and stream mapping gets the same three."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

# Iterator age above this means records are handled minutes late: a visitor has walked away, an email is late.
ITERATOR_AGE_ALARM_MS = 60_000


def on_errors(scope: Construct, function: lambda_.Function, name: str) -> cloudwatch.Alarm:
    """Any failed invocation in five minutes (a trigger's retries hide the first ones otherwise)."""
    return function.metric_errors(period=Duration.minutes(5)).create_alarm(
        scope, f"{name}Errors", threshold=1, evaluation_periods=1, alarm_description=f"{name} failed"
    )


def on_dead_letters(scope: Construct, queue: sqs.Queue, name: str) -> cloudwatch.Alarm:
    """Anything in an on-failure queue: a trigger gave up on it, and nothing retries it from there."""
    return queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)).create_alarm(
        scope,
        f"{name}DeadLetters",
        threshold=1,
        evaluation_periods=1,
        alarm_description=f"Events {name} gave up on are waiting in its dead-letter queue",
    )


def on_iterator_age(scope: Construct, function: lambda_.Function, name: str, what: str) -> cloudwatch.Alarm:
    """A stream mapping that stays a minute behind for five minutes."""
    return function.metric("IteratorAge", statistic="Maximum", period=Duration.minutes(1)).create_alarm(
        scope,
        f"{name}IteratorAge",
        threshold=ITERATOR_AGE_ALARM_MS,
        evaluation_periods=5,
        alarm_description=f"{what} wait over a minute before {name} reads them",
    )
