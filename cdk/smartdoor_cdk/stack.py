"""The whole door on AWS in one stack: the constructs, the values they pass each other, and the outputs."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from smartdoor.adapters.aws import tables
from smartdoor.config import Settings
from smartdoor.domain.frame_keys import FRAME_PREFIX
from smartdoor_cdk import alarms, nag
from smartdoor_cdk import door_access as access
from smartdoor_cdk.analysis import Analysis
from smartdoor_cdk.api import Api
from smartdoor_cdk.environment import door_environment
from smartdoor_cdk.messaging import Messaging
from smartdoor_cdk.outbox import OutboxSender
from smartdoor_cdk.pages import Pages
from smartdoor_cdk.parameters import Parameters
from smartdoor_cdk.sms_settings import SmsSettings
from smartdoor_cdk.storage import SIGHTING_PREFIX, VISITOR_PREFIX, Storage

PHOTO_PREFIXES = (SIGHTING_PREFIX, VISITOR_PREFIX)


class SmartDoorStack(Stack):
    def __init__(self, scope: Construct, id: str, *, parameters: Parameters, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]  # env, description: Stack's own
        p = parameters
        self.parameters = p
        storage = Storage(self, "Storage", purge_days=p.purge_days, frame_purge_days=p.frame_purge_days)
        self.messaging = Messaging(self, "Messaging", sender=p.sender, owner_email=p.owner_email)
        self.sms_settings = SmsSettings(self, "SmsSettings", spend_limit_usd=p.sms_spend_limit_usd)
        environment = door_environment(
            photo_bucket=storage.bucket.bucket_name,
            rekognition_collection=p.collection,
            hmac_secret_id=storage.hmac_key.secret_arn,  # the ARN only: the key is read at cold start
            owner_email=p.owner_email,
            mail_from=p.sender,
            owner_group=p.owner_group,
            **{f"table_{t.logical}": storage.tables[t.logical].table_name for t in tables.TABLES},
        )
        api = Api(
            self, "Api", owner_group=p.owner_group, waf_rate_limit=p.waf_rate_limit, environment=environment
        )
        analysis = Analysis(
            self,
            "Analysis",
            mode=p.analysis,
            collection_id=p.collection,
            match_threshold=Settings.match_threshold,
            bucket=storage.bucket,
            environment={**environment, **door_environment(appsync_endpoint=api.graphql_url)},
        )
        resources = access.DoorResources(
            bucket=storage.bucket,
            tables=storage.tables,
            hmac_key=storage.hmac_key,
            collection_arn=analysis.collection_arn,
        )
        self._grant_resolvers(api, resources)
        if analysis.stream_handler is not None:
            self._grant_face_pipeline(api, analysis.stream_handler, resources)
            self._grant_video(analysis.stream_handler, analysis)
        if analysis.photo_retry is not None:
            self._grant_photo_retry(api, analysis.photo_retry, resources)
            self._grant_video(analysis.photo_retry, analysis)
        if analysis.frame_handler is not None:
            handler = analysis.frame_handler
            self._grant_face_pipeline(api, handler, resources)
            access.grant_photos(handler, storage.bucket, ["GetObject"], [FRAME_PREFIX])
            access.grant_collection(handler, resources.collection_arn, ["SearchFacesByImage"])
            access.grant_detect_faces(handler)
        # The one function that sends: the others only write the outbox.
        outbox = OutboxSender(
            self,
            "Outbox",
            table=storage.tables[tables.OUTBOX.logical],
            messaging=self.messaging,
            environment=environment,
        )
        pages = Pages(
            self,
            "Pages",
            graphql_url=api.graphql_url,
            realtime_url=api.realtime_url,
            api_key=api.api_key,
            region=self.region,
            user_pool_id=api.user_pool_id,
            user_pool_client_id=api.user_pool_client_id,
        )
        pages.url_output.override_logical_id("PagesUrl")  # the stack's outputs go by plain names
        self.functions = [api.resolvers, *analysis.functions, outbox.function]
        # Set after the fact: the pages are configured from the API, and the API's resolvers link to them.
        # No cycle: the distribution depends on the API's URLs only, never on a function.
        for function in self.functions:
            for name, value in door_environment(public_url=pages.url).items():
                function.add_environment(name, value)
        self.resolvers_errors = alarms.on_errors(self, api.resolvers, "Resolvers")

        self.storage, self.api, self.analysis, self.outbox, self.pages = storage, api, analysis, outbox, pages
        self._outputs()
        nag.acknowledge(
            self,
            storage,
            api,
            sms_settings=self.sms_settings,
            functions=self.functions,
            dead_letter_queues=[*analysis.dead_letter_queues, outbox.dead_letters],
        )

    def _grant_resolvers(self, api: Api, r: access.DoorResources) -> None:
        fn = api.resolvers
        access.grant_tables(fn, r, access.RESOLVER_TABLES)
        # GetObject: the console's photo links are presigned with this function's credentials.
        access.grant_photos(fn, r.bucket, ["GetObject", "DeleteObject"], PHOTO_PREFIXES)
        access.grant_photos(fn, r.bucket, ["PutObject"], [VISITOR_PREFIX])  # enrolment photos
        # A door device's upload grant is a presigned POST this function signs: S3 authorises the POST as it.
        access.grant_photos(fn, r.bucket, ["PutObject"], [FRAME_PREFIX])
        # Registering a visitor retags its sighting's snapshots registered=true: no purge takes them.
        access.grant_photos(fn, r.bucket, ["PutObjectTagging"], [SIGHTING_PREFIX])
        access.grant_collection(fn, r.collection_arn, ["IndexFaces", "SearchFaces", "DeleteFaces"])
        access.grant_hmac_key(fn, r.hmac_key)
        api.grant_publish(
            fn
        )  # a decision or an enrolment moves the visitor's other sightings: the console hears

    def _grant_face_pipeline(self, api: Api, fn: lambda_.IFunction, r: access.DoorResources) -> None:
        access.grant_tables(fn, r, access.FACE_PIPELINE_TABLES)
        access.grant_photos(fn, r.bucket, ["PutObject", "GetObject", "DeleteObject"], PHOTO_PREFIXES)
        self._grant_snapshot_tagging(fn, r)
        access.grant_collection(fn, r.collection_arn, ["IndexFaces", "SearchFaces", "DeleteFaces"])
        access.grant_hmac_key(fn, r.hmac_key)
        api.grant_publish(fn)

    def _grant_photo_retry(self, api: Api, fn: lambda_.IFunction, r: access.DoorResources) -> None:
        access.grant_tables(fn, r, access.PHOTO_RETRY_TABLES)
        # GetObject: the filled sighting is published with photo links presigned with this function's
        # credentials, so S3 authorises the console's GET as this function.
        access.grant_photos(fn, r.bucket, ["PutObject", "GetObject"], [SIGHTING_PREFIX])
        self._grant_snapshot_tagging(fn, r)
        access.grant_collection(fn, r.collection_arn, ["IndexFaces", "DeleteFaces"])
        access.grant_hmac_key(fn, r.hmac_key)
        api.grant_publish(fn)

    @staticmethod
    def _grant_snapshot_tagging(fn: lambda_.IFunction, r: access.DoorResources) -> None:
        # A snapshot is put with its unregistered tag (PutObject with Tagging): S3 wants PutObjectTagging too.
        access.grant_photos(fn, r.bucket, ["PutObjectTagging"], [SIGHTING_PREFIX])

    @staticmethod
    def _grant_video(fn: lambda_.IFunction, analysis: Analysis) -> None:
        access.allow(
            fn, ["kinesisvideo:GetDataEndpoint", "kinesisvideo:GetImages"], [analysis.video_stream.attr_arn]
        )

    def _outputs(self) -> None:
        api, analysis, storage = self.api, self.analysis, self.storage
        values = {
            "GraphqlUrl": (api.graphql_url, "The AppSync GraphQL endpoint"),
            "RealtimeUrl": (api.realtime_url, "The AppSync real-time (subscriptions) endpoint"),
            "ApiKey": (api.api_key, "The API key of the door and link pages (public by design: they are)"),
            "UserPoolId": (api.user_pool_id, "The owner's Cognito user pool"),
            "UserPoolClientId": (api.user_pool_client_id, "The console's app client"),
            "OwnerGroup": (self.parameters.owner_group, "Add the owner's user to this group"),
            "PhotoBucket": (
                storage.bucket.bucket_name,
                "The photo bucket (B1); door frames go under frames/",
            ),
            "VideoStreamName": (analysis.video_stream_name, "KVS1: point the door camera at this stream"),
            "CollectionId": (analysis.collection.ref, "The Rekognition face collection"),
            "Region": (self.region, "The region the door runs in"),
        }
        if analysis.face_records is not None:
            values["FaceRecordStream"] = (
                analysis.face_records.stream_name,
                "KDS1: the stream processor's output",
            )
        for name, (value, description) in values.items():
            CfnOutput(self, name, value=value, description=description)
