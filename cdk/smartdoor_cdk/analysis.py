"""Faces: the Rekognition collection, the door's video stream KVS1, and one of two ways frames are analysed.

``frames`` (the default): the door device uploads frames to B1 under ``frames/``, and the frame Lambda
searches each one with the image APIs. ``stream-processor``: a Rekognition stream processor searches KVS1
itself and writes face records to KDS1, which the stream handler Lambda reads (only accounts that used
Rekognition streaming video before 2026-04-30 can still create one).
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisvideo as kinesisvideo
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_rekognition as rekognition
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from smartdoor.domain.frame_keys import FRAME_PREFIX
from smartdoor_cdk import alarms
from smartdoor_cdk.environment import door_environment
from smartdoor_cdk.functions import door_function
from smartdoor_cdk.parameters import Analysis as Mode
from smartdoor_cdk.schedules import every_minute

# KVS keeps a day of video: enough to fetch a sighting's photo by the record's time (records arrive up to
# minutes late), short enough to stay cheap.
KVS_RETENTION_HOURS = 24
# Kinesis: a stuck record is retried this often, for at most this long, then goes to the dead-letter queue.
STREAM_RETRIES = 3
STREAM_MAX_RECORD_AGE = Duration.hours(1)
STREAM_BATCH_SIZE = 10
# A face event's claim is leased for two minutes: a handler still running past it could see its event
# handled a second time by a retry, so each face function stops well before.
FACE_FUNCTION_TIMEOUT = Duration.seconds(60)


class Analysis(Construct):
    """``collection_arn`` and ``video_stream`` always; ``stream_handler`` (KDS1) and ``photo_retry`` (its
    schedule), or ``frame_handler`` (S3). ``functions`` lists whichever exist."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        mode: Mode,
        collection_id: str,
        match_threshold: float,
        bucket: s3.IBucket,
        environment: Mapping[str, str],
    ) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        self.collection = rekognition.CfnCollection(self, "Faces", collection_id=collection_id)
        self.collection_arn = self.collection.attr_arn
        self.video_stream = kinesisvideo.CfnStream(
            self, "KVS1", data_retention_in_hours=KVS_RETENTION_HOURS, media_type="video/h264"
        )
        self.video_stream_name = self.video_stream.ref
        env = {**environment, **door_environment(kvs_streams=self.video_stream_name)}
        self.stream_handler: lambda_.Function | None = None
        self.frame_handler: lambda_.Function | None = None
        self.photo_retry: lambda_.Function | None = None
        self.functions: list[lambda_.Function] = []
        self.alarms: list[cloudwatch.Alarm] = []
        self.face_records: kinesis.Stream | None = None
        self.dead_letter_queues: list[sqs.Queue] = []
        if mode == "stream-processor":
            self._stream_processor(stack, match_threshold, env)
        else:
            self._frame_path(bucket, env)

    def _stream_processor(self, stack: Stack, match_threshold: float, env: Mapping[str, str]) -> None:
        records = kinesis.Stream(
            self,
            "KDS1",
            stream_name=f"AmazonRekognition{stack.stack_name}",  # Rekognition writes only to such names
            shard_count=1,
            encryption=kinesis.StreamEncryption.MANAGED,
            retention_period=Duration.hours(24),
        )
        self.face_records = records
        role = iam.Role(
            self,
            "StreamProcessorRole",
            assumed_by=iam.ServicePrincipal("rekognition.amazonaws.com"),
            description="Rekognition reads KVS1 and writes face records to KDS1",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "kinesisvideo:GetDataEndpoint",
                    "kinesisvideo:GetMedia",
                    "kinesisvideo:DescribeStream",
                ],
                resources=[self.video_stream.attr_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["kinesis:PutRecord", "kinesis:PutRecords"], resources=[records.stream_arn]
            )
        )
        # Kinesis's managed encryption key is AWS's own: writing needs no KMS grant.
        processor = rekognition.CfnStreamProcessor(
            self,
            "FaceSearch",
            role_arn=role.role_arn,
            kinesis_video_stream=rekognition.CfnStreamProcessor.KinesisVideoStreamProperty(
                arn=self.video_stream.attr_arn
            ),
            kinesis_data_stream=rekognition.CfnStreamProcessor.KinesisDataStreamProperty(
                arn=records.stream_arn
            ),
            face_search_settings=rekognition.CfnStreamProcessor.FaceSearchSettingsProperty(
                collection_id=self.collection.ref, face_match_threshold=match_threshold
            ),
        )
        processor.node.add_dependency(role)
        handler = door_function(
            self,
            "StreamHandler",
            package="stream_handler",
            handler="stream_handler.handler",
            description="Smart Door: Rekognition face records from KDS1 to sightings",
            timeout=FACE_FUNCTION_TIMEOUT,
            environment=env,
        )
        dead_letters = self._dead_letters("StreamHandlerFailures")
        handler.add_event_source(
            sources.KinesisEventSource(
                records,
                starting_position=lambda_.StartingPosition.LATEST,
                batch_size=STREAM_BATCH_SIZE,
                bisect_batch_on_error=True,
                retry_attempts=STREAM_RETRIES,
                max_record_age=STREAM_MAX_RECORD_AGE,
                report_batch_item_failures=True,
                on_failure=sources.SqsDlq(dead_letters),
            )
        )
        self.stream_handler = handler
        self.alarms.append(alarms.on_iterator_age(self, handler, "StreamHandler", "Face records"))
        self._alarm_on(handler, dead_letters, "StreamHandler")
        self._photo_retry(env)

    def _photo_retry(self, env: Mapping[str, str]) -> None:
        """The frames Kinesis Video had no media for when their face record came, fetched again."""
        retry = door_function(
            self,
            "PhotoRetry",
            package="stream_handler",
            handler="stream_handler.photo_retry.handler",
            description="Smart Door: fetch the sightings' photos KVS1 had no media for yet",
            timeout=Duration.seconds(60),
            environment=env,
        )
        every_minute(self, "PhotoRetrySchedule", retry, "Smart Door: the photo retry's run")
        self.photo_retry = retry
        self.functions.append(retry)
        self.alarms.append(alarms.on_errors(self, retry, "PhotoRetry"))

    def _frame_path(self, bucket: s3.IBucket, env: Mapping[str, str]) -> None:
        dead_letters = self._dead_letters("FrameHandlerFailures")
        handler = door_function(
            self,
            "FrameHandler",
            package="stream_handler",
            handler="stream_handler.frames.handler",
            description="Smart Door: a door frame uploaded to S3, searched for faces",
            timeout=FACE_FUNCTION_TIMEOUT,
            environment=env,
        )
        # S3 invokes asynchronously: two retries, and an event older than the face-event age limit is moot.
        handler.configure_async_invoke(
            retry_attempts=2,
            max_event_age=Duration.minutes(5),
            on_failure=destinations.SqsDestination(dead_letters),
        )
        bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.LambdaDestination(handler),
            s3.NotificationKeyFilter(prefix=FRAME_PREFIX, suffix=".jpg"),
        )
        self.frame_handler = handler
        self._alarm_on(handler, dead_letters, "FrameHandler")

    def _dead_letters(self, id: str) -> sqs.Queue:
        queue = sqs.Queue(
            self,
            id,
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.dead_letter_queues.append(queue)
        return queue

    def _alarm_on(self, handler: lambda_.Function, dead_letters: sqs.Queue, name: str) -> None:
        self.functions.append(handler)
        self.alarms.append(alarms.on_errors(self, handler, name))
        self.alarms.append(alarms.on_dead_letters(self, dead_letters, name))
