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
    # A snapshot is put with its unregistered tag: PutObject with Tagging needs PutObjectTagging too.
    | {("s3:PutObjectTagging", "bucket/sightings/*")}
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
        | _on(
            "bucket/sightings/*",
            "s3:GetObject",
            "s3:DeleteObject",
            # registering a visitor retags its snapshots registered=true (PhotoStore.keep)
            "s3:PutObjectTagging",
        )
        | _on("bucket/visitors/*", "s3:GetObject", "s3:DeleteObject", "s3:PutObject")
        # a door device's upload grant is a presigned POST the resolvers sign: S3 authorises it as them
        | {("s3:PutObject", "bucket/frames/*")}
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


def test_the_photo_retry_fills_awaited_photos_from_kvs1(stream_processor: Synthesised) -> None:
    assert statements(stream_processor, "AnalysisPhotoRetryServiceRole") == (
        TRACING
        | SECRET
        | {("appsync:GraphQL", PUBLISH)}
        | _on("table/outbox/index/awaitingPhoto", "dynamodb:Query")
        | _on("table/outbox", "dynamodb:UpdateItem")
        | _on("table/sightings", "dynamodb:GetItem", "dynamodb:UpdateItem")
        # the fill's TransactWriteItems: each item is authorised by its own action
        | _on("table/faces", "dynamodb:PutItem")
        | _on("kvs1", "kinesisvideo:GetDataEndpoint", "kinesisvideo:GetImages")
        | _on("collection", "rekognition:IndexFaces", "rekognition:DeleteFaces")
        | _on("bucket/sightings/*", "s3:PutObject", "s3:PutObjectTagging")
        # the filled sighting is published with links to its photos, presigned with this function's
        # credentials: S3 authorises the console's GET as this role
        | {("s3:GetObject", "bucket/sightings/*")}
    )


def test_the_outbox_sender_claims_and_marks_messages_and_alone_sends(either: Synthesised) -> None:
    assert statements(either, "OutboxSenderServiceRole") == (
        TRACING
        | _on("table/outbox", "dynamodb:UpdateItem")
        | _on("table/outbox/index/unsent", "dynamodb:Query")
        # the stream mapping's read grant; ListStreams has no resource-level permissions
        | _on("table/outbox.StreamArn", "dynamodb:DescribeStream", "dynamodb:GetRecords")
        | _on("table/outbox.StreamArn", "dynamodb:GetShardIterator")
        | {("dynamodb:ListStreams", "*")}
        | _on("outbox-dlq", "sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl")
        | _on("arn:aws:ses:eu-west-1:ACCOUNT:identity/door@example.com", "ses:SendEmail")
        | _on("arn:aws:ses:eu-west-1:ACCOUNT:identity/owner@example.com", "ses:SendEmail")
        | {("sns:Publish", "*")}
    )


def test_no_other_function_sends_email_or_sms(either: Synthesised) -> None:
    senders = {
        role
        for role in either.resources("AWS::IAM::Role")
        if role.startswith(("Api", "Analysis", "Outbox"))  # the door's roles, not CDK's own handlers'
        and {a for a, _ in statements(either, role)} & {"ses:SendEmail", "ses:SendRawEmail", "sns:Publish"}
    }
    assert senders == {either.logical_id("AWS::IAM::Role", "OutboxSenderServiceRole")}


def test_the_stream_processor_reads_kvs1_and_writes_kds1_only(stream_processor: Synthesised) -> None:
    assert statements(stream_processor, "AnalysisStreamProcessorRole") == (
        _on("kvs1", "kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia", "kinesisvideo:DescribeStream")
        | _on("kds1", "kinesis:PutRecord", "kinesis:PutRecords")
    )


def test_the_only_star_resources_are_those_without_resource_level_permissions(either: Synthesised) -> None:
    no_resource_level = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "rekognition:DetectFaces"}
    for role, also in (
        ("ApiResolversServiceRole", set()),
        ("AnalysisFrameHandlerServiceRole", set()),
        ("AnalysisStreamHandlerServiceRole", set()),
        ("AnalysisPhotoRetryServiceRole", set()),
        # SMS goes to a phone number, which has no ARN; ListStreams takes none
        ("OutboxSenderServiceRole", {"sns:Publish", "dynamodb:ListStreams"}),
    ):
        if not any(k.startswith(role) for k in either.resources("AWS::IAM::Role")):
            continue
        starred = {action for action, resource in statements(either, role) if resource == "*"}
        assert starred <= no_resource_level | also, role
