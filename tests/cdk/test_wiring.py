"""What the Lambdas need, wired: the outbox sender's triggers, the photo retry's schedule, every function's
environment and alarms, and the pages composed with the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from smartdoor.adapters.aws.dynamo_outbox import message_item
from smartdoor.domain.model import Sms
from tests.cdk.conftest import Synthesised

pytestmark = pytest.mark.cdk

TABLES = {f"SMARTDOOR_TABLE_{t}" for t in ("PASSCODES", "VISITORS", "SIGHTINGS", "FACES", "LIMITS")}
TABLES |= {"SMARTDOOR_TABLE_TIMELINE", "SMARTDOOR_TABLE_OUTBOX"}
BASE = TABLES | {
    f"SMARTDOOR_{name}"
    for name in (
        "PHOTO_BUCKET",
        "REKOGNITION_COLLECTION",
        "HMAC_SECRET_ID",
        "OWNER_EMAIL",
        "MAIL_FROM",
        "OWNER_GROUP",
        "PUBLIC_URL",
    )
}
FACE_FUNCTION = BASE | {"SMARTDOOR_APPSYNC_ENDPOINT", "SMARTDOOR_KVS_STREAMS"}


def _function(synth: Synthesised, prefix: str) -> tuple[str, dict[str, Any]]:
    logical = synth.logical_id("AWS::Lambda::Function", prefix)
    return logical, synth.resources("AWS::Lambda::Function")[logical]["Properties"]


def _door_functions(synth: Synthesised) -> dict[str, dict[str, Any]]:
    return {
        k: v["Properties"]
        for k, v in synth.resources("AWS::Lambda::Function").items()
        if k.startswith(("Api", "Analysis", "Outbox"))
    }


def _of_function(synth: Synthesised, kind: str, function: str) -> list[dict[str, Any]]:
    return [r for r in synth.resources(kind).values() if _target(r, kind) == function]


def _target(resource: dict[str, Any], kind: str) -> str | None:
    properties = resource["Properties"]
    if kind == "AWS::Events::Rule":
        (target,) = properties["Targets"]
        return str(target["Arn"]["Fn::GetAtt"][0])
    return str(properties["FunctionName"]["Ref"])


def _schedule(synth: Synthesised, function: str) -> dict[str, Any]:
    (rule,) = _of_function(synth, "AWS::Events::Rule", function)
    (invoke,) = _of_function(synth, "AWS::Lambda::EventInvokeConfig", function)
    # The next run is a minute away: a failed one is not retried on top of it.
    assert invoke["Properties"]["MaximumRetryAttempts"] == 0
    properties: dict[str, Any] = rule["Properties"]
    return properties


def test_the_outbox_sender_runs_on_the_outbox_stream_for_due_messages_only(either: Synthesised) -> None:
    logical, sender = _function(either, "OutboxSender")
    assert sender["Handler"] == "stream_handler.outbox.handler"
    assert sender["Timeout"] == 60
    (mapping,) = _of_function(either, "AWS::Lambda::EventSourceMapping", logical)
    props = mapping["Properties"]
    table = either.logical_id("AWS::DynamoDB::Table", "StorageOutbox")
    queue = either.logical_id("AWS::SQS::Queue", "OutboxSenderFailures")
    assert props["EventSourceArn"] == {"Fn::GetAtt": [table, "StreamArn"]}
    assert props["StartingPosition"] == "LATEST"
    assert props["BatchSize"] == 10
    assert props["BisectBatchOnFunctionError"] is True
    assert props["MaximumRetryAttempts"] == 5
    assert props["MaximumRecordAgeInSeconds"] == 3600
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["DestinationConfig"] == {"OnFailure": {"Destination": {"Fn::GetAtt": [queue, "Arn"]}}}
    (pattern,) = (json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"])
    assert pattern == {
        "dynamodb": {
            "NewImage": {"unsent": {"S": [{"exists": True}]}, "claimedBy": {"S": [{"exists": False}]}}
        }
    }


def test_the_filter_names_the_attributes_an_outbox_item_has() -> None:
    # GIVEN a new message as the DynamoDB outbox writes it
    item = message_item("sms:1", Sms("+15555550100", "code"), datetime(2026, 1, 1, tzinfo=UTC))
    # THEN it is in the unsent index as a String, and unclaimed: the filter lets it through
    assert item["unsent"] == {"S": "ALL"}
    assert "claimedBy" not in item


def test_the_outbox_sender_also_sweeps_every_minute(either: Synthesised) -> None:
    logical, _ = _function(either, "OutboxSender")
    assert _schedule(either, logical)["ScheduleExpression"] == "rate(1 minute)"


def test_the_photo_retry_runs_every_minute_in_the_stream_processor_mode_only(
    stream_processor: Synthesised, frames: Synthesised
) -> None:
    logical, retry = _function(stream_processor, "AnalysisPhotoRetry")
    assert retry["Handler"] == "stream_handler.photo_retry.handler"
    assert retry["Timeout"] == 60
    assert _schedule(stream_processor, logical)["ScheduleExpression"] == "rate(1 minute)"
    assert not [k for k in frames.resources("AWS::Lambda::Function") if k.startswith("AnalysisPhotoRetry")]


def test_the_face_functions_stop_before_their_face_events_lease_ends(either: Synthesised) -> None:
    for logical, function in _door_functions(either).items():
        if logical.startswith("Analysis"):
            assert function["Timeout"] < 120, logical


def test_each_function_has_the_settings_it_reads_and_no_default_spelled_out(either: Synthesised) -> None:
    wanted = {"ApiResolvers": BASE | {"SMARTDOOR_APPSYNC_ENDPOINT"}, "OutboxSender": BASE}
    wanted |= dict.fromkeys(
        ("AnalysisFrameHandler", "AnalysisStreamHandler", "AnalysisPhotoRetry"), FACE_FUNCTION
    )
    functions = _door_functions(either)
    assert functions
    for logical, function in functions.items():
        (prefix,) = [p for p in wanted if logical.startswith(p)]
        assert set(function["Environment"]["Variables"]) == wanted[prefix], logical


def test_email_links_point_at_the_pages_distribution(either: Synthesised) -> None:
    distribution = either.logical_id("AWS::CloudFront::Distribution", "PagesDistribution")
    pages = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]}
    for logical, function in _door_functions(either).items():
        assert function["Environment"]["Variables"]["SMARTDOOR_PUBLIC_URL"] == pages, logical
    assert either.json["Outputs"]["PagesUrl"]["Value"] == pages


def test_the_pages_are_configured_with_this_stacks_api_and_user_pool(either: Synthesised) -> None:
    api = either.logical_id("AWS::AppSync::GraphQLApi", "Api")
    pool = either.logical_id("AWS::Cognito::UserPool", "ApiOwners")
    client = either.logical_id("AWS::Cognito::UserPoolClient", "ApiOwnersConsole")
    (deployment,) = either.resources("Custom::CDKBucketDeployment").values()
    deployed = json.dumps(deployment["Properties"])
    for reference in (
        {"Fn::GetAtt": [api, "GraphQLUrl"]},
        {"Fn::GetAtt": [api, "RealtimeUrl"]},
        {"Ref": pool},
        {"Ref": client},
    ):
        assert json.dumps(reference) in deployed, reference
    (headers,) = either.resources("AWS::CloudFront::ResponseHeadersPolicy").values()
    assert json.dumps({"Fn::GetAtt": [api, "RealtimeUrl"]}) in json.dumps(headers)
    # The console signs in from the browser: a client without a secret, with USER_PASSWORD_AUTH.
    console = either.resources("AWS::Cognito::UserPoolClient")[client]["Properties"]
    assert console["GenerateSecret"] is False
    assert "ALLOW_USER_PASSWORD_AUTH" in console["ExplicitAuthFlows"]
    (group,) = either.resources("AWS::Cognito::UserPoolGroup").values()
    assert group["Properties"]["GroupName"] == "owners"


def _alarmed(synth: Synthesised, namespace: str, metric: str, dimension: str) -> list[Any]:
    return [
        dimensions["Value"]
        for alarm in synth.resources("AWS::CloudWatch::Alarm").values()
        if (alarm["Properties"]["Namespace"], alarm["Properties"]["MetricName"]) == (namespace, metric)
        for dimensions in alarm["Properties"]["Dimensions"]
        if dimensions["Name"] == dimension
    ]


def test_every_function_queue_and_stream_mapping_has_its_alarm(either: Synthesised) -> None:
    assert sorted(_alarmed(either, "AWS/Lambda", "Errors", "FunctionName"), key=str) == sorted(
        ({"Ref": k} for k in _door_functions(either)), key=str
    )
    on_failure = [
        c["OnFailure"]["Destination"]["Fn::GetAtt"][0]
        for kind in ("AWS::Lambda::EventSourceMapping", "AWS::Lambda::EventInvokeConfig")
        for r in either.resources(kind).values()
        if (c := r["Properties"].get("DestinationConfig"))
    ]
    queues = sorted(({"Fn::GetAtt": [q, "QueueName"]} for q in on_failure), key=str)
    assert len(on_failure) == 2
    assert sorted(
        _alarmed(either, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName"), key=str
    ) == (sorted(queues, key=str))
    mapped = [
        r["Properties"]["FunctionName"] for r in either.resources("AWS::Lambda::EventSourceMapping").values()
    ]
    assert sorted(_alarmed(either, "AWS/Lambda", "IteratorAge", "FunctionName"), key=str) == sorted(
        mapped, key=str
    )
