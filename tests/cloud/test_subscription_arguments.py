"""The simulator ignores subscription arguments (its defect 2); AppSync delivers a publication only to the
subscribers whose non-null arguments equal the published fields. server.js filters on them; this module
runs its own simulator over a tiny schema, since schema.graphql has no subscription with arguments."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication

from smartdoor_cdk.local_appsync import DataSource, LocalAppSync, Resolver, Wiring, installed
from tests.cloud.conftest import run
from tests.cloud.test_subscriptions import SUBSCRIBED, WatchedTransport
from tests.needs import missing

pytestmark = pytest.mark.cloud

SCHEMA = Path(__file__).with_name("arguments.graphql")
WIRING = Wiring(
    default_auth="API_KEY",
    additional_auth=(),
    has_api_key=True,
    data_sources=(DataSource("Local", "NONE"),),
    resolvers=(
        Resolver(
            "Mutation",
            "putThing",
            "Local",
            '{"version":"2018-05-29","payload":$util.toJson($ctx.arguments)}',
            "$util.toJson($ctx.result)",
        ),
    ),
)


@pytest.fixture(scope="module")
def simulator() -> Iterator[LocalAppSync]:
    if not installed():
        missing("the local AppSync is not installed: run scripts/setup dev with npm available")
    with LocalAppSync(WIRING, {}, schema=SCHEMA) as appsync:
        yield appsync


def put(appsync: LocalAppSync, thing_id: str, kind: str) -> Any:
    mutation = f'mutation {{ putThing(id: "{thing_id}", kind: "{kind}") {{ id kind }} }}'
    response = httpx.post(
        appsync.graphql_url, json={"query": mutation}, headers={"x-api-key": appsync.api_key}, timeout=30
    )
    return response.json()


def test_a_subscriber_gets_only_what_matches_its_arguments(simulator: LocalAppSync) -> None:
    async def scenario() -> Any:
        auth = AppSyncApiKeyAuthentication(
            host=urlsplit(simulator.graphql_url).netloc, api_key=simulator.api_key
        )
        transport = WatchedTransport(url=simulator.realtime_url, auth=auth)
        async with Client(transport=transport) as session:
            messages = session.subscribe(GraphQLRequest('subscription { onThing(kind: "cat") { id kind } }'))
            first = asyncio.ensure_future(messages.__anext__())
            await asyncio.wait_for(transport.started.wait(), SUBSCRIBED)
            try:
                assert put(simulator, "t1", "dog") == {"data": {"putThing": {"id": "t1", "kind": "dog"}}}
                assert put(simulator, "t2", "cat") == {"data": {"putThing": {"id": "t2", "kind": "cat"}}}
                return await asyncio.wait_for(first, SUBSCRIBED)
            finally:
                first.cancel()
                await messages.aclose()

    assert run(scenario()) == {"onThing": {"id": "t2", "kind": "cat"}}
