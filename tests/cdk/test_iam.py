"""Each function's policy, exactly: the actions its use cases issue on the resources they touch."""

from __future__ import annotations

import pytest

from tests.cdk.conftest import Synthesised
from tests.cdk.policies import statements

pytestmark = pytest.mark.cdk

PUBLISH = "arn:aws:appsync:eu-west-1:ACCOUNT:apis/api.ApiId/types/Mutation/fields/publishSighting"
TRACING = {("xray:PutTraceSegments", "*"), ("xray:PutTelemetryRecords", "*")}
DEAD_LETTERS = {("sqs:SendMessage", "dlq"), ("sqs:GetQueueAttributes", "dlq"), ("sqs:GetQueueUrl", "dlq")}
SECRET = {("secretsmanager:GetSecretValue", "secret")}


def _on(resource: str, *actions: str) -> set[tuple[str, str]]:
    return {(action, resource) for action in actions}


FACE_PIPELINE = (
    TRACING
    | SECRET
    | DEAD_LETTERS
    | {("appsync:GraphQL", PUBLISH)}
    | _on("bucket/sightings/*", "s3:PutObject", "s3:GetObject", "s3:DeleteObject")
    | _on("bucket/visitors/*", "s3:PutObject", "s3:GetObject", "s3:DeleteObject")
    | _on("collection", "rekognition:IndexFaces", "rekognition:SearchFaces", "rekognition:DeleteFaces")
    | _on("table/passcodes", "dynamodb:PutItem")
    | _on("table/visitors", "dynamodb:GetItem", "dynamodb:UpdateItem")
    | _on("table/sightings", "dynamodb:GetItem", "dynamodb:PutItem")
    | _on("table/faces", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
    | _on("table/limits", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
    | _on("table/timeline", "dynamodb:PutItem")
    | _on("table/outbox", "dynamodb:PutItem")
)


def test_the_resolvers_get_what_the_api_use_cases_issue(frames: Synthesised) -> None:
    assert statements(frames, "ApiResolversServiceRole") == (
        TRACING
        | SECRET
        | {("appsync:GraphQL", PUBLISH)}
        | _on("bucket/sightings/*", "s3:GetObject", "s3:DeleteObject")
        | _on("bucket/visitors/*", "s3:GetObject", "s3:DeleteObject", "s3:PutObject")
        | _on("collection", "rekognition:IndexFaces", "rekognition:SearchFaces", "rekognition:DeleteFaces")
        | _on("table/passcodes", "dynamodb:PutItem", "dynamodb:DeleteItem")
        | _on("table/visitors", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem")
        | _on("table/visitors/index/byCreated", "dynamodb:Query")
        | _on("table/sightings", "dynamodb:GetItem", "dynamodb:UpdateItem")
        | _on("table/sightings/index/byCreated", "dynamodb:Query")
        | _on("table/sightings/index/byStatus", "dynamodb:Query")
        | _on(
            "table/faces",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        )
        | _on("table/faces/index/byOwner", "dynamodb:Query")
        | _on(
            "table/limits",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        )
        | _on("table/timeline", "dynamodb:PutItem", "dynamodb:Query")
        | _on("table/outbox", "dynamodb:PutItem")
    )


def test_the_frame_handler_also_reads_frames_and_searches_images(frames: Synthesised) -> None:
    assert statements(frames, "AnalysisFrameHandlerServiceRole") == (
        FACE_PIPELINE
        | {("s3:GetObject", "bucket/frames/*"), ("rekognition:SearchFacesByImage", "collection")}
        # DetectFaces has no resource-level permissions: "*" is the only way to grant it.
        | {("rekognition:DetectFaces", "*")}
    )


def test_the_stream_handler_reads_kds1_and_fetches_photos_from_kvs1(stream_processor: Synthesised) -> None:
    kinesis_read = _on(
        "kds1",
        *(
            f"kinesis:{a}"
            for a in (
                "DescribeStream",
                "DescribeStreamConsumer",
                "DescribeStreamSummary",
                "GetRecords",
                "GetShardIterator",
                "ListShards",
                "ListStreams",
                "SubscribeToShard",
            )
        ),
    )
    assert statements(stream_processor, "AnalysisStreamHandlerServiceRole") == (
        FACE_PIPELINE | kinesis_read | _on("kvs1", "kinesisvideo:GetDataEndpoint", "kinesisvideo:GetImages")
    )


def test_the_stream_processor_reads_kvs1_and_writes_kds1_only(stream_processor: Synthesised) -> None:
    assert statements(stream_processor, "AnalysisStreamProcessorRole") == (
        _on("kvs1", "kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia", "kinesisvideo:DescribeStream")
        | _on("kds1", "kinesis:PutRecord", "kinesis:PutRecords")
    )


def test_the_only_star_resources_are_those_without_resource_level_permissions(either: Synthesised) -> None:
    for role in (
        "ApiResolversServiceRole",
        "AnalysisFrameHandlerServiceRole",
        "AnalysisStreamHandlerServiceRole",
    ):
        if not any(k.startswith(role) for k in either.resources("AWS::IAM::Role")):
            continue
        starred = {action for action, resource in statements(either, role) if resource == "*"}
        assert starred <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "rekognition:DetectFaces"}
