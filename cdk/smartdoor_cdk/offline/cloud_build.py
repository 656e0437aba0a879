"""The whole AWS build on one machine, from the synthesised template: ``start_cloud_build()`` and the
``python -m smartdoor_cdk.offline.cloud_build`` command (``bash scripts/cloud``).

What it starts, in order (a failure stops what already started and raises ``CloudBuildFailed``, one line):

1. the CDK app synthesised in stream-processor mode (cached under ``.cloud/`` by a hash of its inputs);
2. one moto server on 127.0.0.1, and on it every resource of the template that moto holds (``stand_up``);
   an owner in the user pool (admin-created, in the owners group, a temporary password from ``secrets``);
3. the Rekognition and Kinesis Video fakes over HTTP (``served_fakes``);
4. each Lambda of the template as deployed: its handler and its resolved environment, pointed at moto
   (AWS_ENDPOINT_URL) and the fakes (AWS_ENDPOINT_URL_REKOGNITION, AWS_ENDPOINT_URL_KINESIS_VIDEO), each in
   one long-lived worker process: the resolvers behind the local AppSync (the simulator wired from the
   template, its API key, the user pool), the stream handler behind a Kinesis poller with its mapping's
   settings, and the scheduled ones (photo retry, outbox sender) every few seconds instead of every minute.
   A template without the outbox Lambda gets a stand-in that runs the same dispatcher (``outbox_stand_in``);
5. the pages served as CloudFront serves them: the page paths' mapping, the response headers policy's values,
   and the config.json the Pages construct writes, pointing at the local AppSync and at moto's cognito-idp.

The Python API (the tests' and the browser tier's)::

    build = start_cloud_build()            # CloudBuild; also a context manager
    build.urls.console, build.urls.door, build.urls.graphql, build.urls.realtime, build.moto_endpoint
    build.api_key, build.owner.username, build.owner.password, build.user_pool_id, build.user_pool_client_id
    build.client("sns")                    # a boto3 client of the moto server
    build.put_face_record()                # a stranger's face record on KDS1, its frame in Kinesis Video
    build.restart_simulator()              # the AppSync simulator stopped and started on its port
    build.stop()                           # everything, children included, within a bound

Not emulated: CloudFront itself (a local server applies its paths and headers), WAF, IAM (no policy is
checked), credentials (the simulator decodes a JWT without verifying it and takes any SigV4 signature),
S3 notifications (so frames mode is not offered), alarms and logs.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
import httpx
from botocore.config import Config

from smartdoor.edges.page_paths import content_security_policy, inline_script_hashes
from smartdoor_cdk.child_processes import die_with_parent, stop_child
from smartdoor_cdk.local_appsync import LocalAppSync, ProcessFailed, wiring_from_template
from smartdoor_cdk.offline.function_worker import TIMEOUT_MS
from smartdoor_cdk.offline.intrinsics import Physical
from smartdoor_cdk.offline.kinesis_poller import KinesisPoller
from smartdoor_cdk.offline.pages_server import pages_server
from smartdoor_cdk.offline.served_fakes import ServedFakes
from smartdoor_cdk.offline.stand_up import Function, StoodUp, stand_up
from smartdoor_cdk.offline.synth import ROOT, synthesised
from smartdoor_cdk.page_settings import FRONTEND, cognito_endpoint, pages_config

log = logging.getLogger("smartdoor.cloud_build")

STACK = "SmartDoor"
REGION = "us-east-1"
ACCOUNT = "123456789012"
CACHE = ROOT / ".cloud"
TESTDATA = ROOT.parent / "shared" / "testdata"
READY_SECONDS = 30.0
STOP_SECONDS = 5.0
# The schedules, compressed: the photo retry runs every minute on AWS, the outbox sender as its trigger says.
SCHEDULE_SECONDS = 3.0
RESOLVERS = "resolvers.app.handler"
STREAM_HANDLER = "stream_handler.handler"
SCHEDULED = ("stream_handler.photo_retry.handler", "stream_handler.outbox.handler")
OUTBOX = "stream_handler.outbox.handler"
OUTBOX_STAND_IN = "smartdoor_cdk.offline.outbox_stand_in.handler"
# The door's own code; anything else in the template (CDK's log-retention handler) is CDK's and not run.
OUR_PACKAGES = ("resolvers.", "stream_handler.")


class CloudBuildFailed(RuntimeError):
    """The cloud build did not start: the message says which part, in one line."""


@dataclass(frozen=True)
class Owner:
    username: str
    password: str  # temporary: the console asks for a new one at the first sign-in


@dataclass(frozen=True)
class Urls:
    console: str
    door: str
    graphql: str
    realtime: str
    moto_dashboard: str

    @property
    def pages(self) -> str:
        return self.console


class FunctionError(RuntimeError):
    """The function raised: Lambda reports only its type and message."""


@dataclass
class Worker:
    """One function's long-lived process (function_worker)."""

    function: Function
    handler: str
    env: Mapping[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    url: str = ""
    invocations: int = 0

    def start(self) -> None:
        command = [sys.executable, "-m", "smartdoor_cdk.offline.function_worker", "--handler", self.handler]
        with self.log_path.open("ab") as err:
            self.process = subprocess.Popen(  # noqa: S603  # this interpreter, this package's module
                command,
                stdout=subprocess.PIPE,
                stderr=err,
                env=dict(self.env),
                cwd=ROOT,
                preexec_fn=die_with_parent,
            )
        try:
            self.url = _ready(self.process, self.function.name, self.log_path)["url"]
        except BaseException:
            self.stop()  # ended or hung before it listened: reaped here, as no caller holds it yet
            raise

    def invoke(self, event: dict[str, Any], context: Any = None) -> Any:
        request_id = getattr(context, "aws_request_id", None) or str(uuid.uuid4())
        body = {
            "event": event,
            "context": {
                "function_name": self.function.name,
                "invoked_function_arn": self.function.arn,
                "aws_request_id": request_id,
            },
        }
        answer = httpx.post(self.url, json=body, timeout=TIMEOUT_MS / 1000).json()
        self.invocations += 1
        if "errorType" in answer:
            raise FunctionError(f"{answer['errorType']}: {answer['errorMessage']}")
        return answer["result"]

    def stop(self) -> None:
        stop_child(self.process, STOP_SECONDS)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None


def _ready(process: subprocess.Popen[bytes], what: str, log_path: Path) -> dict[str, Any]:
    assert process.stdout is not None
    line = _read_line(process, READY_SECONDS)
    if line is None:
        tail = log_path.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise ProcessFailed(f"{what} did not start: {tail[0]}")
    found: dict[str, Any] = json.loads(line)
    return found


def _read_line(process: subprocess.Popen[bytes], timeout: float) -> bytes | None:
    import select

    assert process.stdout is not None
    deadline, buffered = time.monotonic() + timeout, b""
    while b"\n" not in buffered:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        readable, _, _ = select.select([process.stdout], [], [], left)
        if readable:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                return None
            buffered += chunk
    return buffered.split(b"\n", 1)[0]


class _Schedule:
    """A scheduled function (an EventBridge rule's target on AWS) invoked every ``seconds``."""

    def __init__(self, worker: Worker, seconds: float) -> None:
        self.worker, self.seconds = worker, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"schedule-{worker.handler}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(STOP_SECONDS + TIMEOUT_MS / 1000)

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            event = {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": ACCOUNT,
                "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": REGION,
                "resources": [],
                "detail": {},
            }
            try:
                self.worker.invoke(event)
            except (FunctionError, httpx.HTTPError):
                log.exception("%s failed on its schedule", self.worker.function.name)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _temporary_password() -> str:
    # The user pool's policy: 14 or more, with lower and upper case, a digit and a symbol.
    return secrets.token_urlsafe(15) + "aA1!"


def _unknown_face_record() -> dict[str, Any]:
    """Rekognition's record of one face that matched nothing (../shared's sample, else the same shape)."""
    sample = TESTDATA / "rekognition" / "unknown_face.json"
    if sample.is_file():
        loaded: dict[str, Any] = json.loads(sample.read_text())
        return loaded
    box = {"Height": 0.31, "Width": 0.18, "Left": 0.41, "Top": 0.22}
    return {
        "InputInformation": {
            "KinesisVideo": {
                "StreamArn": "",
                "FragmentNumber": "91343852333181432392682062607743920146264271231",
                "ServerTimestamp": 0.0,
                "ProducerTimestamp": 0.0,
                "FrameOffsetInSeconds": 1.2,
            }
        },
        "StreamProcessorInformation": {"Status": "RUNNING"},
        "FaceSearchResponse": [
            {
                "DetectedFace": {
                    "BoundingBox": box,
                    "Confidence": 99.71,
                    "Landmarks": [],
                    "Pose": {"Pitch": 4.1, "Roll": -2.3, "Yaw": -8.8},
                    "Quality": {"Brightness": 71.2, "Sharpness": 64.9},
                },
                "MatchedFaces": [],
            }
        ],
    }


def _a_frame() -> bytes:
    """A door frame: a face photo of ../shared's, else a plain JPEG made here."""
    photos = sorted((TESTDATA / "faces" / "faces").glob("*/*.jpg"))
    if photos:
        return photos[0].read_bytes()
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (150, 120, 100)).save(out, "JPEG")
    return out.getvalue()


@dataclass
class CloudBuild:
    """The running cloud build (see the module's docstring). Stop it with ``stop()`` or ``with``."""

    urls: Urls
    moto_endpoint: str
    api_key: str
    owner: Owner
    user_pool_id: str
    user_pool_client_id: str
    region: str
    template_path: Path
    stood_up: StoodUp
    fakes: ServedFakes
    appsync: LocalAppSync
    workers: dict[str, Worker]
    pollers: list[KinesisPoller]
    outbox: str  # which runs the outbox: the template's Lambda or the stand-in
    face_record_stream: str
    video_stream: str
    video_stream_arn: str
    config: dict[str, str]
    _stoppers: list[Callable[[], object]] = field(default_factory=list)
    _records: int = 0
    _session: boto3.session.Session = field(
        default_factory=lambda: boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 (moto's: nothing real answers)
            region_name=REGION,
        )
    )

    def __enter__(self) -> CloudBuild:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def client(self, service: str) -> Any:
        """A boto3 client of the moto server."""
        config = Config(signature_version="s3v4") if service == "s3" else None
        return self._session.client(  # type: ignore[call-overload]
            service, endpoint_url=self.moto_endpoint, config=config
        )

    def put_face_record(
        self,
        record: Mapping[str, Any] | None = None,
        *,
        at: datetime | None = None,
        frame: bytes | None = None,
    ) -> str:
        """A face record on KDS1, as the stream processor writes one: a stranger's (../shared's sample, else
        one built here) unless ``record`` is given, with the times of ``at`` (now) and the stream's ARN; its
        frame (``frame``, else a face photo) put in the Kinesis Video fake at the record's frame time.
        Returns the record's sequence number."""
        data = copy.deepcopy(dict(record or _unknown_face_record()))
        when = (at or datetime.now(UTC)).timestamp()
        video = data["InputInformation"]["KinesisVideo"]
        offset = float(video.get("FrameOffsetInSeconds", 0.0))
        video |= {"StreamArn": self.video_stream_arn, "ProducerTimestamp": when - offset}
        video["ServerTimestamp"] = when
        # Each record its own fragment, as the stream processor's are: the handler claims a face once per
        # stream, fragment, offset and face, so a repeated number would be a re-delivery.
        self._records += 1
        video["FragmentNumber"] = f"{int(when * 1000)}{self._records:06d}"
        self.fakes.kinesis_video.add_frame(
            self.video_stream, datetime.fromtimestamp(when, UTC), frame or _a_frame()
        )
        put = self.client("kinesis").put_record(
            StreamName=self.face_record_stream, Data=json.dumps(data).encode(), PartitionKey="face"
        )
        sequence: str = put["SequenceNumber"]
        return sequence

    def restart_simulator(self) -> None:
        """The AppSync simulator stopped and started on the same port (subscriptions dropped, the resolvers
        worker kept, as Lambda containers outlive a connection)."""
        self.appsync.restart_simulator()

    def pids(self) -> list[int]:
        """The child processes: the simulator, the resolvers worker, the other functions' workers."""
        found = [w.pid for w in self.workers.values() if w.pid is not None]
        simulator = self.appsync._simulator  # LocalAppSync keeps its process to itself
        return [*found, self.appsync.worker_pid, *([simulator.pid] if simulator is not None else [])]

    def stop(self) -> None:
        """Stop everything it started, in reverse order; each part within a bound."""
        while self._stoppers:
            stopper = self._stoppers.pop()
            try:
                stopper()
            except Exception:  # stopping goes on: one part's failure must not leave the rest running
                log.exception("stopping a part of the cloud build failed")

    def banner(self) -> str:
        lines = [
            "Smart Door: the AWS build on this machine (stream-processor mode)",
            f"  console (pages)     {self.urls.console}",
            f"  door page           {self.urls.door}",
            f"  AppSync GraphQL     {self.urls.graphql}",
            f"  AppSync realtime    {self.urls.realtime}",
            f"  moto dashboard      {self.urls.moto_dashboard}",
            f"  owner sign-in       {self.owner.username} / {self.owner.password}",
            "                      (a temporary password: the console asks for a new one)",
            f"  API key             {self.api_key}",
            f"  outbox sender       {self.outbox}, every {SCHEDULE_SECONDS:g} s",
            "",
            "Make a face arrive:  press Enter here (or start with --demo)",
            "Stop:                Ctrl-C",
        ]
        return "\n".join(lines)


def _clean_env() -> dict[str, str]:
    """Nothing of the caller's environment but PATH: a developer's AWS profile or endpoint cannot leak in."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def function_env(function: Function, moto: str, fakes: str) -> dict[str, str]:
    """What the function's process sees: the template's environment, Lambda's own variables, and the
    endpoints of this machine; nothing inherited, so a developer's AWS profile cannot leak in."""
    return {
        **_clean_env(),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "cdk")]),
        "PYTHONUNBUFFERED": "1",
        "AWS_ENDPOINT_URL": moto,
        "AWS_ENDPOINT_URL_REKOGNITION": fakes,
        "AWS_ENDPOINT_URL_KINESIS_VIDEO": fakes,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        **function.environment,
    }


def _served(template: Mapping[str, Any], port: int, api_key: str) -> dict[str, Physical]:
    """The local AppSync's answers for the API and its key, so every Ref to them resolves to it."""
    served: dict[str, Physical] = {}
    for logical, resource in template.get("Resources", {}).items():
        if resource["Type"] == "AWS::AppSync::GraphQLApi":
            api_id = "local"
            arn = f"arn:aws:appsync:{REGION}:{ACCOUNT}:apis/{api_id}"
            served[logical] = Physical(
                arn,
                {
                    "ApiId": api_id,
                    "Arn": arn,
                    "GraphQLUrl": f"http://127.0.0.1:{port}/graphql",
                    "GraphQLDns": f"127.0.0.1:{port}",
                    "RealtimeUrl": f"ws://127.0.0.1:{port}/graphql/realtime",
                    "RealtimeDns": f"127.0.0.1:{port}",
                },
            )
        elif resource["Type"] == "AWS::AppSync::ApiKey":
            arn = f"arn:aws:appsync:{REGION}:{ACCOUNT}:apis/local/apikeys/{api_key}"
            served[logical] = Physical(arn, {"ApiKey": api_key, "Arn": arn})
    return served


def _one(stood: StoodUp, handler: str) -> Function | None:
    found = [f for f in stood.functions.values() if f.handler == handler]
    return found[0] if found else None


def _logical(template: Mapping[str, Any], kind: str) -> str:
    [found] = [str(k) for k, r in template["Resources"].items() if r["Type"] == kind]
    return found


def start_cloud_build(
    *,
    cache: Path = CACHE,
    schedule_seconds: float = SCHEDULE_SECONDS,
    logs: Path | None = None,
    template: Path | None = None,
) -> CloudBuild:
    """Start everything (see the module's docstring) and return it running; on a failure stop what started
    and raise CloudBuildFailed saying which part failed. ``logs`` gets the workers' stderr (a temporary
    folder, removed at stop, by default); ``template`` is a synthesised template to use instead of
    synthesising the app (cached in ``cache``)."""
    stoppers: list[Callable[[], object]] = []
    step = "start"

    def stop_all() -> None:
        while stoppers:
            try:
                stoppers.pop()()
            except Exception:
                log.exception("stopping a part of the cloud build failed")

    try:
        if logs is None:
            folder = tempfile.TemporaryDirectory(prefix="smartdoor-cloud-")
            stoppers.append(folder.cleanup)
            logs = Path(folder.name)
        step = "synthesising the CDK app"
        template_path = template or synthesised({"analysis": "stream-processor", "region": REGION}, cache)
        stack: dict[str, Any] = json.loads(template_path.read_text())

        step = "the moto server"
        with (logs / "moto.log").open("ab") as err:
            moto = subprocess.Popen(  # this interpreter, this package's module
                [sys.executable, "-m", "smartdoor_cdk.offline.moto_process"],
                stdout=subprocess.PIPE,
                stderr=err,
                env={**_clean_env(), "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "cdk")])},
                cwd=ROOT,
                preexec_fn=die_with_parent,
            )
        stoppers.append(lambda: stop_child(moto, STOP_SECONDS))
        moto_endpoint = str(_ready(moto, "the moto server", logs / "moto.log")["url"])
        session = boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 (moto's)
            region_name=REGION,
        )

        def client(service: str) -> Any:
            config = Config(signature_version="s3v4") if service == "s3" else None
            return session.client(service, endpoint_url=moto_endpoint, config=config)  # type: ignore[call-overload]

        step = "standing up the template's resources on moto"
        port, api_key = _free_port(), "da2-" + secrets.token_hex(13)
        stood = stand_up(
            stack,
            client,
            stack_name=STACK,
            region=REGION,
            account=ACCOUNT,
            served=_served(stack, port, api_key),
        )
        outputs = stood.outputs

        step = "the owner's user"
        owner = Owner(_owner_name(stack), _temporary_password())
        cognito = client("cognito-idp")
        cognito.admin_create_user(
            UserPoolId=outputs["UserPoolId"],
            Username=owner.username,
            TemporaryPassword=owner.password,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": owner.username},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        cognito.admin_add_user_to_group(
            UserPoolId=outputs["UserPoolId"], Username=owner.username, GroupName=outputs["OwnerGroup"]
        )

        step = "the Rekognition and Kinesis Video fakes"
        fakes = ServedFakes(outputs["CollectionId"])
        fakes.start()
        stoppers.append(fakes.stop)

        step = "the resolvers Lambda and the local AppSync"
        resolvers = _one(stood, RESOLVERS)
        if resolvers is None:
            raise LookupError(f"the template has no function with handler {RESOLVERS}")
        wiring = replace(wiring_from_template(stack), user_pool_id=outputs["UserPoolId"])
        appsync = LocalAppSync(
            wiring, function_env(resolvers, moto_endpoint, fakes.url), api_key=api_key, port=port
        )
        appsync.start()
        stoppers.append(appsync.stop)

        workers: dict[str, Worker] = {}
        for function in stood.functions.values():
            if function.handler == RESOLVERS or not function.handler.startswith(OUR_PACKAGES):
                continue
            step = f"the {function.handler} Lambda"
            worker = Worker(
                function,
                function.handler,
                function_env(function, moto_endpoint, fakes.url),
                logs / f"{function.name}.log",
            )
            worker.start()
            stoppers.append(worker.stop)
            workers[function.handler] = worker
        # Its DynamoDB stream trigger is not polled offline: the schedule's sweep sends what is due.
        outbox = "the template's outbox Lambda (its schedule's sweep; the table's stream is not polled)"
        if OUTBOX not in workers:
            step = "the outbox sender's stand-in"
            stand_in = replace(resolvers, name=f"{STACK}-outbox-stand-in")
            worker = Worker(
                stand_in,
                OUTBOX_STAND_IN,
                function_env(resolvers, moto_endpoint, fakes.url),
                logs / "outbox-stand-in.log",
            )
            worker.start()
            stoppers.append(worker.stop)
            workers[OUTBOX] = worker
            outbox = "a stand-in (no outbox Lambda in the template): the same dispatcher"

        step = "the Kinesis poller"
        pollers: list[KinesisPoller] = []
        by_name = {w.function.name: w for w in workers.values()}
        for mapping in stood.mappings.values():
            target = by_name.get(mapping.function_name)
            if target is None or not mapping.reads_kinesis:
                continue
            poller = KinesisPoller(
                client("kinesis"),
                mapping,
                target.invoke,
                function_arn=target.function.arn,
                role_arn=target.function.role_arn,
                region=REGION,
                sqs=client("sqs"),
            )
            poller.start()
            stoppers.append(poller.stop)
            pollers.append(poller)

        step = "the schedules"
        for handler in SCHEDULED:
            if handler in workers:
                schedule = _Schedule(workers[handler], schedule_seconds)
                schedule.start()
                stoppers.append(schedule.stop)

        step = "the pages"
        cognito_override = moto_endpoint + "/"
        config = pages_config(
            graphql_url=appsync.graphql_url,
            realtime_url=appsync.realtime_url,
            api_key=api_key,
            region=REGION,
            user_pool_id=outputs["UserPoolId"],
            user_pool_client_id=outputs["UserPoolClientId"],
            cognito_override=cognito_override,
        )
        csp = content_security_policy(
            connect=[appsync.graphql_url, appsync.realtime_url, cognito_endpoint(REGION, cognito_override)],
            # The photos' presigned links name the moto server here, an S3 host on AWS.
            images=["https://*.s3.amazonaws.com", f"https://*.s3.{REGION}.amazonaws.com", moto_endpoint],
            script_hashes=inline_script_hashes(FRONTEND),
        )
        pages = pages_server(config, csp)
        threading.Thread(target=pages.serve_forever, name="pages", daemon=True).start()

        def stop_pages() -> None:
            pages.shutdown()
            pages.server_close()

        stoppers.append(stop_pages)
        pages_url = f"http://127.0.0.1:{pages.server_address[1]}"
        kvs = stood.resources[_logical(stack, "AWS::KinesisVideo::Stream")]
        return CloudBuild(
            urls=Urls(
                console=pages_url + "/",
                door=pages_url + "/door",
                graphql=appsync.graphql_url,
                realtime=appsync.realtime_url,
                moto_dashboard=moto_endpoint + "/moto-api/",
            ),
            moto_endpoint=moto_endpoint,
            api_key=api_key,
            owner=owner,
            user_pool_id=outputs["UserPoolId"],
            user_pool_client_id=outputs["UserPoolClientId"],
            region=REGION,
            template_path=template_path,
            stood_up=stood,
            fakes=fakes,
            appsync=appsync,
            workers=workers,
            pollers=pollers,
            outbox=outbox,
            face_record_stream=outputs["FaceRecordStream"],
            video_stream=kvs.ref,
            video_stream_arn=kvs.attributes["Arn"],
            config=config,
            _stoppers=stoppers,
        )
    except BaseException as exc:
        stop_all()
        if not isinstance(exc, Exception):
            raise  # Ctrl-C while starting: stopped, and the interrupt goes on
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise CloudBuildFailed(f"{step}: {reason}") from exc


def _owner_name(template: Mapping[str, Any]) -> str:
    # The pool signs in by email (SignInAliases email): the owner's user is the owner's address.
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::SES::EmailIdentity":
            identity = resource["Properties"].get("EmailIdentity")
            if isinstance(identity, str) and "@" in identity and not identity.startswith("door@"):
                return identity
    return "owner@example.com"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/cloud", description="The Smart Door AWS build on this machine (no AWS account)."
    )
    parser.add_argument(
        "--schedule-seconds",
        type=float,
        default=SCHEDULE_SECONDS,
        help="how often the scheduled Lambdas (photo retry, outbox) run (default: %(default)s)",
    )
    parser.add_argument("--demo", action="store_true", help="put a stranger's face record on KDS1 at once")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    stopping = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    started = time.monotonic()
    try:
        build = start_cloud_build(schedule_seconds=args.schedule_seconds)
    except CloudBuildFailed as exc:
        print(f"cloud build: could not start: {exc}", file=sys.stderr, flush=True)
        return 1
    try:
        print(build.banner(), flush=True)
        print(f"(started in {time.monotonic() - started:.0f} s)", flush=True)
        if args.demo:
            print(f"a face record is on the stream: {build.put_face_record()}", flush=True)
        _wait_for_enter_or_signal(build, stopping)
    finally:
        print("stopping…", flush=True)
        build.stop()
    return 0


def _wait_for_enter_or_signal(build: CloudBuild, stopping: threading.Event) -> None:
    """Enter puts a face record on the stream (when stdin is a terminal); a signal stops."""
    import select

    interactive = sys.stdin.isatty()
    while not stopping.is_set():
        if not interactive:
            stopping.wait(1.0)
            continue
        readable, _, _ = select.select([sys.stdin], [], [], 0.5)
        if readable and sys.stdin.readline() != "":
            print(f"a face record is on the stream: {build.put_face_record()}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
