"""The cloud build from the synthesised template: a face record on KDS1 reaches the owner's subscription
through the Kinesis poller, the stream handler's worker and the local AppSync; the owner approves and
registers over AppSync's HTTP endpoint with a Cognito id token from moto's user pool (a real InitiateAuth);
the outbox sends the SMS through moto's SNS; the passcode opens the door once.

And the command: scripts/cloud started as a user starts it, its URLs, the pages' config.json, and SIGINT
stopping it and every process it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import select
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.appsync_auth import AppSyncJWTAuthentication
from PIL import Image

from smartdoor_cdk.local_appsync import installed
from smartdoor_cdk.offline.cloud_build import CACHE, REGION, CloudBuild, CloudBuildFailed, start_cloud_build
from smartdoor_cdk.offline.synth import synthesised
from tests.cloud.test_subscriptions import WatchedTransport
from tests.needs import missing
from tests.waiting import wait_until

pytestmark = pytest.mark.cloud

ROOT = Path(__file__).resolve().parents[2]
ARRIVES = 60.0  # seconds a face record may take from the stream to the subscriber (poller, cold worker)
STARTS = 240.0  # seconds the command may take to start (a first synth builds the Lambda assets)
STOPS = 20.0
NEW_PASSWORD = "Chosen-Passw0rd-for-the-test!"


@pytest.fixture(scope="module")
def build() -> Iterator[CloudBuild]:
    if not installed():
        missing("the local AppSync is not installed: run scripts/setup dev with npm available")
    with start_cloud_build() as running:
        yield running


@pytest.fixture(scope="module")
def token(build: CloudBuild) -> str:
    """The owner's id token, as the console gets it: InitiateAuth, then the new-password challenge."""
    cognito = build.client("cognito-idp")
    first = cognito.initiate_auth(
        ClientId=build.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": build.owner.username, "PASSWORD": build.owner.password},
    )
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answered = cognito.respond_to_auth_challenge(
        ClientId=build.user_pool_client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=first["Session"],
        ChallengeResponses={"USERNAME": build.owner.username, "NEW_PASSWORD": NEW_PASSWORD},
    )
    token: str = answered["AuthenticationResult"]["IdToken"]
    return token


def graphql(build: CloudBuild, query: str, variables: dict[str, Any], **headers: str) -> Any:
    answer = httpx.post(
        build.urls.graphql, json={"query": query, "variables": variables}, headers=headers, timeout=30
    )
    answer.raise_for_status()
    return answer.json()


def sms_messages(build: CloudBuild) -> list[str]:
    """The SMS texts moto's SNS holds (its backend, read from the server's data API)."""
    data = httpx.get(f"{build.moto_endpoint}/moto-api/data.json", timeout=10).json()
    return re.findall(r"passcode is \d+\.", json.dumps(data.get("sns", {})))


def test_a_face_on_the_stream_to_welcome_and_then_permission_denied(build: CloudBuild, token: str) -> None:

    async def sighted() -> dict[str, Any]:
        auth = AppSyncJWTAuthentication(host=urlsplit(build.urls.graphql).netloc, jwt=token)
        transport = WatchedTransport(url=build.urls.realtime, auth=auth)
        async with Client(transport=transport) as session:
            messages = session.subscribe(
                GraphQLRequest("subscription { onSighting { id status cameraId photo { url } } }")
            )
            first = asyncio.ensure_future(messages.__anext__())
            await asyncio.wait_for(transport.started.wait(), 10)
            build.put_face_record()
            try:
                received: dict[str, Any] = await asyncio.wait_for(first, ARRIVES)
            finally:
                await messages.aclose()
            return received

    # WHEN a stranger's face record comes down KDS1, THEN the signed-in owner hears of it live
    sighting = asyncio.run(asyncio.wait_for(sighted(), ARRIVES + 20))["onSighting"]
    assert sighting["status"] == "PENDING"
    assert sighting["cameraId"] == build.video_stream  # the camera is the record's Kinesis Video stream
    # The frame came from the Kinesis Video fake (GetDataEndpoint, then GetImages at the record's time).
    assert [r["StreamName"] for r in build.fakes.kinesis_video.requests] == [build.video_stream]
    assert sighting["photo"]["url"].startswith(build.moto_endpoint + "/")
    owner = {"Authorization": token}
    # WHEN the owner approves and registers the visitor over AppSync's HTTP endpoint
    approved = graphql(
        build,
        "mutation A($id: ID!) { approveVisitor(sightingId: $id, decision: APPROVE) { id status } }",
        {"id": sighting["id"]},
        **owner,
    )
    assert approved == {"data": {"approveVisitor": {"id": sighting["id"], "status": "APPROVED"}}}
    registered = graphql(
        build,
        "mutation R($input: RegisterVisitorInput!) { registerVisitor(input: $input) { passcodeSent } }",
        {"input": {"sightingId": sighting["id"], "name": "Ada", "phoneNumber": "+44 20 7946 0958"}},
        **owner,
    )
    assert registered == {"data": {"registerVisitor": {"passcodeSent": True}}}
    # THEN the outbox's sender texts the passcode through moto's SNS
    assert wait_until(lambda: bool(sms_messages(build)), timeout=30)
    [sent] = sms_messages(build)
    code = re.findall(r"\d+", sent)[0]
    validate = "mutation V($otp: String!) { validateOtp(otp: $otp) { granted message visitorName } }"
    door = {"x-api-key": build.api_key}
    # WHEN the visitor types it at the door (the API key), THEN they are welcome, once
    assert graphql(build, validate, {"otp": code}, **door) == {
        "data": {"validateOtp": {"granted": True, "message": "Welcome, Ada!", "visitorName": "Ada"}}
    }
    again = graphql(build, validate, {"otp": code}, **door)["data"]["validateOtp"]
    assert (again["granted"], again["message"]) == (False, "Permission denied")


def _children(pid: int) -> set[int]:
    """Every descendant of ``pid`` (from /proc), however deep."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            listed = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, listed):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status  # a zombie has stopped; only its parent's wait is left


def _read_banner(process: subprocess.Popen[bytes], timeout: float) -> list[str]:
    """The command's lines up to its "Stop:" line. Read from the pipe's descriptor: a buffered reader
    would hold lines that select() no longer sees."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    buffered = b""
    while b"\nStop:" not in buffered:
        left = deadline - time.monotonic()
        assert left > 0, f"no banner within {timeout:g} s: {buffered!r}"
        readable, _, _ = select.select([process.stdout], [], [], left)
        if readable:
            chunk = os.read(process.stdout.fileno(), 4096)
            assert chunk, f"the command ended (exit {process.wait()}): {buffered!r}"
            buffered += chunk
    return buffered.decode().splitlines()


def test_after_a_simulator_restart_a_new_subscriber_hears_the_next_face(
    build: CloudBuild, token: str
) -> None:
    url = build.urls.graphql
    build.restart_simulator()
    assert build.urls.graphql == url == build.appsync.graphql_url  # the same port: the pages need no reload

    async def sighted() -> dict[str, Any]:
        auth = AppSyncJWTAuthentication(host=urlsplit(url).netloc, jwt=token)
        transport = WatchedTransport(url=build.urls.realtime, auth=auth)
        async with Client(transport=transport) as session:
            messages = session.subscribe(GraphQLRequest("subscription { onSighting { id status } }"))
            first = asyncio.ensure_future(messages.__anext__())
            await asyncio.wait_for(transport.started.wait(), 10)
            build.put_face_record(frame=another_face())
            try:
                received: dict[str, Any] = await asyncio.wait_for(first, ARRIVES)
            finally:
                await messages.aclose()
            return received

    assert asyncio.run(asyncio.wait_for(sighted(), ARRIVES + 20))["onSighting"]["status"] == "PENDING"


def another_face() -> bytes:
    """A JPEG unlike the default frame: the fake Rekognition sees another person in it."""
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (20, 200, 90)).save(out, "JPEG")
    return out.getvalue()


def test_a_failed_start_says_which_part_failed_in_one_line_and_stops_what_had_started(
    tmp_path: Path,
) -> None:
    if not installed():
        missing("the local AppSync is not installed: run scripts/setup dev with npm available")
    template = json.loads(synthesised({"analysis": "stream-processor", "region": REGION}, CACHE).read_text())
    [stream_handler] = [
        r
        for r in template["Resources"].values()
        if r["Properties"].get("Handler") == "stream_handler.handler"
    ]
    stream_handler["Properties"]["Handler"] = "stream_handler.no_such_handler"
    broken = tmp_path / "SmartDoor.template.json"
    broken.write_text(json.dumps(template))
    threads, children = threading.active_count(), _children(os.getpid())
    with pytest.raises(CloudBuildFailed) as failed:
        start_cloud_build(template=broken)
    message = str(failed.value)
    assert "\n" not in message
    assert message.startswith("the stream_handler.no_such_handler Lambda: ")
    assert "no attribute 'no_such_handler'" in message
    # The moto server, the fakes, the resolvers worker and the simulator had started: all are stopped,
    # and every child reaped (a zombie would still be listed), the one that failed to start included.
    assert wait_until(lambda: _children(os.getpid()) == children, timeout=STOPS)
    assert wait_until(lambda: threading.active_count() <= threads, timeout=STOPS)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_command_prints_the_urls_serves_the_config_and_stops_everything_on_a_signal(
    stop_signal: signal.Signals, tmp_path: Path
) -> None:
    if not installed():
        missing("the local AppSync is not installed: run scripts/setup dev with npm available")
    errors = (tmp_path / "stderr").open("wb")
    process = subprocess.Popen(  # the repo's own script
        ["bash", str(ROOT / "scripts" / "cloud")],
        stdout=subprocess.PIPE,
        stderr=errors,  # a file: a full pipe would block the command
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        start_new_session=True,  # its own process group: the clean-up below can end every one of them
    )
    try:
        banner = _read_banner(process, STARTS)
        urls = dict(
            re.findall(
                r"^  (console \(pages\)|door page|AppSync GraphQL|AppSync realtime|moto dashboard)"
                r"\s+(\S+)$",
                "\n".join(banner),
                re.MULTILINE,
            )
        )
        assert set(urls) == {
            "console (pages)",
            "door page",
            "AppSync GraphQL",
            "AppSync realtime",
            "moto dashboard",
        }
        assert all(urlsplit(url).hostname == "127.0.0.1" for url in urls.values())
        config = httpx.get(urls["console (pages)"] + "config.json", timeout=10).json()
        assert (config["mode"], config["graphqlUrl"], config["realtimeUrl"]) == (
            "appsync",
            urls["AppSync GraphQL"],
            urls["AppSync realtime"],
        )
        assert config["cognitoEndpoint"] == urls["moto dashboard"].removesuffix("moto-api/")
        door = httpx.get(urls["door page"], timeout=10)
        assert "Smart Door" in door.text
        assert door.headers["x-frame-options"] == "DENY"
        assert urls["AppSync GraphQL"] in door.headers["content-security-policy"]
        assert httpx.get(urls["moto dashboard"], timeout=10).status_code == 200
        children = _children(process.pid)
        assert len(children) >= 4  # the simulator, the resolvers, the stream handler, the outbox sender
        # WHEN the user presses Ctrl-C (or a service manager sends SIGTERM)
        process.send_signal(stop_signal)
        assert process.wait(timeout=STOPS) == 0
        # THEN every process it started has stopped too
        assert wait_until(lambda: not [pid for pid in children if _alive(pid)], timeout=STOPS)
    finally:
        _end_group(process)
        errors.close()


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """Whatever a failed test left: the command and its process group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOPS)
    assert process.stdout is not None
    process.stdout.close()


def test_the_commands_children_end_when_it_is_killed(tmp_path: Path) -> None:
    """SIGKILL runs no clean-up: the kernel's parent-death signal ends the workers, simulator and moto."""
    if not installed():
        missing("the local AppSync is not installed: run scripts/setup dev with npm available")
    errors = (tmp_path / "stderr").open("wb")
    process = subprocess.Popen(  # the repo's own script
        ["bash", str(ROOT / "scripts" / "cloud")],
        stdout=subprocess.PIPE,
        stderr=errors,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        start_new_session=True,
    )
    try:
        _read_banner(process, STARTS)
        children = _children(process.pid)
        assert len(children) >= 4
        process.kill()  # the command alone, not its group
        process.wait(timeout=STOPS)
        assert wait_until(lambda: not [pid for pid in children if _alive(pid)], timeout=STOPS)
    finally:
        _end_group(process)
        errors.close()
