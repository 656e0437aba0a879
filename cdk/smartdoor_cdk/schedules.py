"""Sweeps: a function EventBridge runs every minute, each run doing what is due and leaving the rest."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

SWEEP_RATE = Duration.minutes(1)


def every_minute(scope: Construct, id: str, function: lambda_.Function, description: str) -> events.Rule:
    # A failed run is not retried: the next one starts a minute later and finds the same work due (the
    # work's own claims keep two runs from doing one task twice).
    function.configure_async_invoke(retry_attempts=0, max_event_age=Duration.minutes(1))
    return events.Rule(
        scope,
        id,
        description=description,
        schedule=events.Schedule.rate(SWEEP_RATE),
        targets=[targets.LambdaFunction(function)],
    )
