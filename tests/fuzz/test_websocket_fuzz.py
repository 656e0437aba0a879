"""graphql-transport-ws: hostile messages before and after the owner's connection_init."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.fuzz.conftest import FuzzedDoor, fuzz_settings
from tests.fuzz.strategies import encode, garbage_bytes, mutated

pytestmark = pytest.mark.fuzz

MESSAGES: list[dict[str, Any]] = [
    {"type": "connection_init", "payload": {"token": "TOKEN"}},
    {"type": "ping", "payload": {}},
    {"type": "pong"},
    {"id": "1", "type": "subscribe", "payload": {"query": "subscription { onSighting { id status } }"}},
    {"id": "1", "type": "complete"},
]
# Closes the protocol allows: bad message, unauthorised, forbidden, duplicate id, too many inits.
PROTOCOL_CLOSES = {1000, 4400, 4401, 4403, 4409, 4429}


@st.composite
def messages(draw: st.DrawFn, token: str) -> str:
    template = json.loads(json.dumps(draw(st.sampled_from(MESSAGES))).replace("TOKEN", token))
    if draw(st.booleans()):
        return encode(draw(mutated(template, max_mutations=2))).decode("utf-8", "replace")
    return draw(garbage_bytes).decode("utf-8", "replace")


async def _talk(door: FuzzedDoor, init_first: bool, sent: list[str]) -> int | None:
    """The code the server closed the socket with (0: no close frame), or None if it stayed open."""
    async with connect(door.server.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        if init_first:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"token": door.server.token}}))
            assert json.loads(await asyncio.wait_for(ws.recv(), timeout=10))["type"] == "connection_ack"
        try:
            for message in sent:
                await ws.send(message)
            # A ping answered (or the socket closed) means every message before it has been handled.
            await ws.send(json.dumps({"type": "ping"}))
            while json.loads(await asyncio.wait_for(ws.recv(), timeout=10))["type"] != "pong":
                pass
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else 0
    return None


@fuzz_settings(max_examples=40)
@given(data=st.data())
def test_websocket_messages_never_fail_the_server(door: FuzzedDoor, data: st.DataObject) -> None:
    init_first = data.draw(st.booleans(), label="owner init first")
    sent = data.draw(st.lists(messages(door.server.token), min_size=1, max_size=3), label="messages")
    faults_before = len(door.log.faults())
    closed_with = asyncio.run(_talk(door, init_first, sent))
    assert closed_with is None or closed_with in PROTOCOL_CLOSES
    assert door.log.faults()[faults_before:] == []
