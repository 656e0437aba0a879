"""The cloud build as a DoorUnderTest (tests/scenarios/door_flow.py): the AWS build on one machine, driven as
a user reaches it.

- The API is the local AppSync (the simulator wired from the synthesised template's AppSync resources, and
  one long-lived resolvers worker), over the door's tables, bucket, secret and sender on a moto server.
- A face reaches the door as Rekognition's stream processor reports one: a real-shaped face-search record
  (../shared/testdata/rekognition), dated now, put on a Kinesis stream on moto; the Kinesis poller
  (smartdoor_cdk.offline) hands it to the stream handler Lambda as the event source mapping would, with the
  CDK app's mapping settings. Its frame comes from the Kinesis Video fake, a real photo of the test data.
- The owner signs in to the console through the Cognito form against moto's cognito-idp; the door page
  uses the API key; the pages are served as CloudFront serves them, with the deployment's config.json.
- Email and SMS go out as the outbox dispatcher sends them, through SES and SNS on moto, read back there.

moto has no Rekognition collections: the face index is the adapters' fake, which sees one new face in any
photo it is given (each a stranger of its own), served through a real botocore client.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect

from smartdoor.adapters.memory.offline_aws import stand_up
from smartdoor.adapters.memory.rekognition import FakeRekognition, SeenFace
from smartdoor.adapters.memory.served_kinesis_video import (
    FakeKinesisVideo,
    archived_media_served_by,
    kinesis_video_served_by,
)
from smartdoor.adapters.memory.served_rekognition import served_by
from smartdoor.bootstrap import build_aws, build_outbox_dispatcher
from smartdoor.config import Settings
from smartdoor.domain.model import BoundingBox
from smartdoor.edges import lambda_door
from smartdoor_cdk.local_appsync import LocalAppSync, wiring_from_template
from smartdoor_cdk.offline.event_source_mapping import EventSourceMapping
from smartdoor_cdk.offline.kinesis_poller import Handler, KinesisPoller
from smartdoor_cdk.page_settings import pages_config
from stream_handler import handler as stream_handler
from tests.browser.hosted_pages import page_server, serving
from tests.cloud.conftest import SECRET, SETTINGS, worker_env
from tests.cloud.template import synthesised
from tests.integration.moto_fixtures import REGION, Aws
from tests.waiting import wait_until

ACCOUNT = "123456789012"
CAMERA = "front-door"  # the Kinesis Video stream the test data's records name
STREAM = "AmazonRekognition-door-faces"  # a stream processor's output stream must be named AmazonRekognition…
OWNER, OWNER_PASSWORD = "owner", "Owner-Passw0rd!"
NEIGHBOUR, NEIGHBOUR_PASSWORD = "neighbour", "Neighbour-Passw0rd!"
# The stream handler's event source mapping as the CDK app synthesises it (held equal to the template by
# tests/cdk/test_offline_mapping.py; importing the CDK app here would cost the tier ~9 s of aws_cdk). No
# on-failure queue offline: a record given up is only logged.
STREAM_MAPPING = {
    "StartingPosition": "LATEST",
    "BatchSize": 10,
    "BisectBatchOnFunctionError": True,
    "MaximumRetryAttempts": 3,
    "MaximumRecordAgeInSeconds": 3600,
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
}
SEEN = 30.0  # seconds an email or SMS may take to be sent and show in moto


def _strangers() -> Callable[[bytes], Sequence[SeenFace]]:
    """What the fake index sees in a photo: one face filling most of it, each time a new person (likenesses
    a whole unit apart match nothing), so every arrival is a stranger of its own."""
    count = itertools.count(1)

    def see(image: bytes) -> Sequence[SeenFace]:
        if not image.startswith(b"\xff\xd8"):  # not a JPEG: no face
            return []
        return [SeenFace(BoundingBox(0.1, 0.1, 0.8, 0.8), (float(next(count)),))]

    return see


def parse_raw(raw: str) -> EmailMessage:
    message = message_from_string(raw.replace("\r\n", "\n"), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def inline_html(message: EmailMessage) -> str:
    """The email's HTML with its cid: images inlined as data: URLs, as a mail reader shows them."""
    html = message.get_body(preferencelist=("html",))
    assert html is not None, "the owner's email has no HTML part"
    text = str(html.get_content())
    for part in message.walk():
        cid = part.get("Content-ID")
        if cid and part.get_content_maintype() == "image":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            data = f"data:{part.get_content_type()};base64,{base64.b64encode(payload).decode()}"
            text = text.replace(f"cid:{cid.strip('<>')}", data)
    return text


@dataclass
class CloudBuild:
    """What one module's cloud build started (the ``cloud_build`` block stops it), and its handles."""

    aws: Aws
    appsync: LocalAppSync
    pages_url: str
    poller: KinesisPoller
    kinesis_video: FakeKinesisVideo
    dispatch: Callable[[], int]  # one run of the outbox dispatcher: how many it sent
    record: dict[str, Any]  # the test data's face-search record of an unknown face
    face_jpeg: bytes
    fragments: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    put_at: list[float] = field(default_factory=list)  # time.time() of each face record's PutRecord

    def put_face(self) -> str:
        """A face-search record of a stranger at the door now, on the stream; its fragment number."""
        now = time.time()
        fragment = f"{91343852333181432392682062607743920146264271231 + next(self.fragments)}"
        record = copy.deepcopy(self.record)
        video = record["InputInformation"]["KinesisVideo"]
        offset = float(video["FrameOffsetInSeconds"])
        video |= {"FragmentNumber": fragment, "ServerTimestamp": now, "ProducerTimestamp": now - offset}
        # The frame Kinesis Video holds at the record's time (the handler asks for up to a second after it).
        self.kinesis_video.add_frame(CAMERA, datetime.fromtimestamp(now + 0.1, UTC), self.face_jpeg)
        kinesis = self.aws.client("kinesis")
        self.put_at.append(time.time())
        kinesis.put_record(StreamName=STREAM, Data=json.dumps(record).encode(), PartitionKey=fragment)
        return fragment


def _cognito(aws: Aws) -> tuple[str, str]:
    """The owners' user pool: the owner (in the owners group) and a neighbour who is not; (pool, client)."""
    cognito = aws.client("cognito-idp")
    pool: str = cognito.create_user_pool(PoolName="smartdoor-owners")["UserPool"]["Id"]
    client: str = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="smartdoor-console",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.create_group(UserPoolId=pool, GroupName=SETTINGS.owner_group)
    for username, password in ((OWNER, OWNER_PASSWORD), (NEIGHBOUR, NEIGHBOUR_PASSWORD)):
        cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS")
        cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=OWNER, GroupName=SETTINGS.owner_group)
    return pool, client


def _stream_mapping(aws: Aws) -> EventSourceMapping:
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=STREAM, WaiterConfig={"Delay": 0.1})
    arn = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{STREAM}"
    return EventSourceMapping.from_properties(
        {"FunctionName": "SmartDoorStreamHandler", "EventSourceArn": arn, **STREAM_MAPPING}
    )


@contextmanager
def cloud_build(
    aws: Aws, testdata: Path, face_jpeg: bytes, handler: Handler = stream_handler
) -> Iterator[CloudBuild]:
    """The AWS build on one machine, on ``aws``'s moto server (reset first), stopped when the block ends.
    ``handler`` is the stream handler Lambda's entry (a bench wraps it to time it)."""
    reset = httpx.post(f"{aws.endpoint}/moto-api/reset", timeout=10)
    assert reset.json() == {"status": "ok"}
    settings: Settings = replace(SETTINGS, kvs_streams=CAMERA)
    clients, _ = stand_up(aws.client, settings, SECRET, aws.session)
    index = FakeRekognition(see=_strangers())
    index.create_collection(CollectionId=settings.rekognition_collection)
    kinesis_video = FakeKinesisVideo()
    clients = replace(
        clients,
        rekognition=served_by(index),
        kinesisvideo=kinesis_video_served_by(kinesis_video),
        archived_media=lambda endpoint: archived_media_served_by(kinesis_video, endpoint),
    )
    pool, client_id = _cognito(aws)
    mapping = _stream_mapping(aws)
    record = json.loads((testdata / "rekognition" / "unknown_face.json").read_text())
    with ExitStack() as stack:
        env = {**worker_env(aws.endpoint), "SMARTDOOR_KVS_STREAMS": CAMERA}
        appsync = stack.enter_context(LocalAppSync(wiring_from_template(synthesised()), env))
        # The stream handler Lambda, in this process: its container's Door publishes to the local AppSync.
        lambda_door.set_door(build_aws(replace(settings, appsync_endpoint=appsync.graphql_url), clients))
        stack.callback(lambda_door.set_door, None)
        poller = KinesisPoller(
            kinesis=aws.client("kinesis"),
            mapping=mapping,
            handler=handler,
            function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{mapping.function_name}",
            role_arn=f"arn:aws:iam::{ACCOUNT}:role/SmartDoorStreamHandlerRole",
            region=REGION,
            poll_interval=0.1,  # Lambda polls each shard once a second; a test need not wait that long
        )
        poller.start()
        stack.callback(poller.stop)
        config = pages_config(
            graphql_url=appsync.graphql_url,
            realtime_url=appsync.realtime_url,
            api_key=appsync.api_key,
            region=REGION,
            user_pool_id=pool,
            user_pool_client_id=client_id,
            cognito_override=aws.endpoint + "/",
        )
        pages_url = stack.enter_context(serving(page_server(config, photos_override=aws.endpoint)))
        dispatcher = build_outbox_dispatcher(settings, "cloud-tier-dispatcher", clients)
        yield CloudBuild(
            aws, appsync, pages_url, poller, kinesis_video, dispatcher.run_once, record, face_jpeg
        )


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


@dataclass
class CloudDoor:
    build: CloudBuild

    @property
    def door_url(self) -> str:
        return f"{self.build.pages_url}/door"

    def open_console(self, page: Page) -> None:
        page.goto(f"{self.build.pages_url}/")
        sign_in(page, OWNER, OWNER_PASSWORD)
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        expect(page.locator("#live")).to_have_text("live")

    def face_arrives(self) -> None:
        self.build.put_face()

    def owner_email(self, page: Page) -> Locator:
        raw = self._sent(lambda: self.build.aws.backend("ses").get("RawMessage", []))[-1]["raw_data"]
        page.goto("about:blank")  # the pages' CSP stays behind: a mail reader's own page
        page.set_content(inline_html(parse_raw(raw)))
        return page.locator("body")

    def last_sms_to(self, page: Page, phone: str) -> str:
        def to_phone() -> list[dict[str, Any]]:
            return [s for s in self.build.aws.backend("sns").get("SMS", []) if s["phone_number"] == phone]

        message: str = self._sent(to_phone)[-1]["message"]
        return message

    def restart_api(self) -> None:
        self.build.appsync.restart_simulator()

    def _sent(self, read: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """What ``read`` finds once the dispatcher has sent it (as its Lambda runs after each commit)."""
        found: list[dict[str, Any]] = []

        def arrived() -> bool:
            self.build.dispatch()
            found[:] = read()
            return bool(found)

        assert wait_until(arrived, SEEN), "nothing was sent"
        return found
