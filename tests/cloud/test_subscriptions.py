"""AppSync's real-time protocol through the local AppSync: the owner subscribes with a Cognito JWT (gql's
AppSyncWebsocketsTransport), the stream handler publishes with IAM (gql's AppSyncIAMAuthentication), and the
subscriber gets the publication with what the mutation selected, and nothing else.

The simulator decodes the JWT without verifying it and lets any SigV4 signature through as IAM: these tests
show the protocol and the wiring, not credential checks.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import websockets
from botocore.credentials import Credentials
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncIAMAuthentication, AppSyncJWTAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport

from smartdoor.adapters.aws.appsync_publisher import PUBLISH_SIGHTING, SIGHTING_SELECTION, publish_input
from smartdoor.domain.model import Photo, Sighting, SightingStatus
from tests.cloud.conftest import Cloud, jwt, run
from tests.integration.moto_fixtures import REGION
from tests.unit.test_published_selection import console_selection

pytestmark = pytest.mark.cloud

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SUBSCRIBED = 10.0  # seconds a start_ack may take


class WatchedTransport(AppSyncWebsocketsTransport):
    """gql's AppSync transport, which drops the start_ack: this one sets ``started`` when it arrives, so a
    test publishes only once the subscription is in place."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.started = asyncio.Event()

    def _parse_answer(self, answer: str) -> Any:
        parsed = super()._parse_answer(answer)
        if parsed[0] == "start_ack":
            self.started.set()
        return parsed


def sighting(n: int, *, full: bool = True) -> Sighting:
    photo = Photo(f"sightings/s{n}.jpg", "door-photos", AT)
    return Sighting(
        id=f"s{n}",
        face_id=f"f{n}",
        camera_id="front-door",
        status=SightingStatus.KNOWN if full else SightingStatus.PENDING,
        created_at=AT,
        photo=photo if full else None,
        visitor_id=f"v{n}" if full else None,
        decided_at=AT if full else None,
        face_photo=photo if full else None,
    )


async def publish(cloud: Cloud, mutation: str, variables: dict[str, Any]) -> dict[str, Any]:
    """publishSighting as the stream handler sends it: SigV4-signed (the simulator checks no signature)."""
    url = cloud.appsync.graphql_url
    auth = AppSyncIAMAuthentication(
        host=urlsplit(url).netloc, credentials=Credentials("AKIDLOCAL", "secret"), region_name=REGION
    )
    async with Client(transport=AIOHTTPTransport(url=url, auth=auth)) as session:
        answer: dict[str, Any] = await session.execute(GraphQLRequest(mutation, variable_values=variables))
        return answer


@asynccontextmanager
async def subscribed(cloud: Cloud, selection: str) -> AsyncIterator[asyncio.Task[Any]]:
    """An owner's onSighting subscription, in place: yields the task that receives its first message."""
    realtime = cloud.appsync.realtime_url
    auth = AppSyncJWTAuthentication(host=urlsplit(cloud.appsync.graphql_url).netloc, jwt=jwt(["owners"]))
    transport = WatchedTransport(url=realtime, auth=auth)
    async with Client(transport=transport) as session:
        messages = session.subscribe(GraphQLRequest(f"subscription {{ onSighting {{ {selection} }} }}"))
        first = asyncio.ensure_future(messages.__anext__())
        await asyncio.wait_for(transport.started.wait(), SUBSCRIBED)
        try:
            yield first
        finally:
            first.cancel()
            await messages.aclose()


def test_the_owner_receives_exactly_the_fields_the_mutation_selected(cloud: Cloud) -> None:
    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        # The subscriber asks for decidedAt and visitorId too (both nullable); the publisher selects neither.
        async with subscribed(cloud, "id status decidedAt visitorId photo { url }") as first:
            mutation = (
                "mutation P($input: PublishSightingInput!)"
                " { publishSighting(input: $input) { id status photo { url } } }"
            )
            published = await publish(
                cloud, mutation, {"input": publish_input(sighting(1), lambda p: "https://x/p")}
            )
            return published, await asyncio.wait_for(first, SUBSCRIBED)

    published, received = run(scenario())

    assert published == {"publishSighting": {"id": "s1", "status": "KNOWN", "photo": {"url": "https://x/p"}}}
    assert received == {
        "onSighting": {
            "id": "s1",
            "status": "KNOWN",
            "decidedAt": None,  # in the input, but not selected: AppSync sends it as null
            "visitorId": None,
            "photo": {"url": "https://x/p"},
        }
    }


def test_the_stream_handler_s_publish_gives_the_console_every_field_it_reads(cloud: Cloud) -> None:
    async def scenario() -> dict[str, Any]:
        async with subscribed(cloud, console_selection()) as first:
            await publish(
                cloud, PUBLISH_SIGHTING, {"input": publish_input(sighting(2), lambda p: "https://x/p")}
            )
            received: dict[str, Any] = await asyncio.wait_for(first, SUBSCRIBED)
            return received

    received = run(scenario())["onSighting"]

    def nulls(value: Any, path: str = "") -> list[str]:
        if isinstance(value, dict):
            return [p for key, item in value.items() for p in nulls(item, f"{path}{key}.")]
        return [path.rstrip(".")] if value is None else []

    assert nulls(received) == [], f"the console would read these as null: {nulls(received)}"
    assert received["id"] == "s2"
    assert console_selection() == SIGHTING_SELECTION


def _start_with(cloud: Cloud, authorization: Any) -> list[dict[str, Any]]:
    """A raw AppSync real-time exchange whose start carries ``authorization``: the messages answered to it."""
    host = urlsplit(cloud.appsync.graphql_url).netloc
    header = base64.b64encode(json.dumps({"host": host, "Authorization": jwt(["owners"])}).encode()).decode()
    url = f"{cloud.appsync.realtime_url}?header={header}&payload=e30="

    async def exchange() -> list[dict[str, Any]]:
        async with websockets.connect(url, subprotocols=[websockets.Subprotocol("graphql-ws")]) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            data = json.dumps({"query": "subscription { onSighting { id } }", "variables": {}})
            start = {
                "id": "1",
                "type": "start",
                "payload": {"data": data, "extensions": {"authorization": authorization}},
            }
            await ws.send(json.dumps(start))
            answers = []
            for _ in range(2):
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 2))
                except (TimeoutError, websockets.ConnectionClosed):
                    break
                if message["type"] != "ka":
                    answers.append(message)
            return answers

    return run(exchange())


@pytest.mark.parametrize(
    "authorization",
    [{"Authorization": "not-a-jwt"}, {"x-api-key": None}, "a string, not headers"],
    ids=["garbage-jwt", "null-api-key", "not-an-object"],
)
def test_a_bad_auth_value_in_a_start_is_refused_and_the_simulator_survives(
    cloud: Cloud, authorization: Any
) -> None:
    answers = _start_with(cloud, authorization)

    assert [a["type"] for a in answers if a["type"] == "start_ack"] == []  # no subscription for it
    assert cloud.appsync.simulator_alive(), cloud.appsync.simulator_log()

    async def still_serving() -> dict[str, Any]:
        async with subscribed(cloud, "id") as first:
            await publish(cloud, PUBLISH_SIGHTING, {"input": publish_input(sighting(3))})
            received: dict[str, Any] = await asyncio.wait_for(first, SUBSCRIBED)
            return received

    assert run(still_serving()) == {"onSighting": {"id": "s3"}}


def test_after_the_simulator_restarts_a_new_subscription_works(cloud: Cloud) -> None:
    before = cloud.appsync.port
    cloud.appsync.restart_simulator()
    assert cloud.appsync.port == before  # the same address, as the console reconnects to

    async def resubscribed() -> dict[str, Any]:
        async with subscribed(cloud, "id cameraId") as first:
            await publish(cloud, PUBLISH_SIGHTING, {"input": publish_input(sighting(4))})
            received: dict[str, Any] = await asyncio.wait_for(first, SUBSCRIBED)
            return received

    assert run(resubscribed()) == {"onSighting": {"id": "s4", "cameraId": "front-door"}}
