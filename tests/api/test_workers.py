"""`smartdoor serve --workers 2`: two processes on one port, one door: every console sees every sighting,
and a passcode still opens the door once, whichever process the tries reach."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.api.helpers import event, execute, later_frame, outbox, passcode_in, post_face_event

pytestmark = pytest.mark.api


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTDOOR_")}
    command = [sys.executable, "-m", "smartdoor.server.cli", "serve", "--port", "0", "--workers", "2"]
    process = subprocess.Popen(
        [*command, "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    try:
        banner, deadline = "", time.monotonic() + 60
        while "Owner console" not in banner:
            assert time.monotonic() < deadline, banner
            banner += process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=(\S+)", banner)
        assert match, banner
        base, token = match.group(1), match.group(2)
        for _ in range(200):  # bounded wait until both processes accept
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, token
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
        with process.stdout:
            rest = process.stdout.read()
        assert code == 0, rest
        assert rest.count("Application shutdown complete") == 2


async def _subscribe(base: str, token: str) -> ClientConnection:
    ws = await connect(
        base.replace("http", "ws") + "/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
    query = "subscription { onSighting { id } }"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    return ws


async def test_every_console_sees_every_sighting(two_workers: tuple[str, str]) -> None:
    base, token = two_workers
    consoles = [await _subscribe(base, token) for _ in range(6)]  # new connections land on either process
    await asyncio.sleep(0.5)  # both processes' feed followers now see subscribers
    made = []
    for _ in range(6):
        response = await asyncio.to_thread(post_face_event, base, token, later_frame("unknown_face.json"))
        made.append(response.json()["sightings"][0]["id"])
    for ws in consoles:
        got: list[str] = []
        while len(got) < len(made):
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            got.append(message["payload"]["data"]["onSighting"]["id"])
        assert got == made
        await ws.close()


async def test_one_code_opens_the_door_once_across_processes(two_workers: tuple[str, str]) -> None:
    base, token = two_workers
    response = await asyncio.to_thread(post_face_event, base, token, event("unknown_face.json"))
    sighting_id = response.json()["sightings"][0]["id"]
    register = (
        """mutation($input: RegisterVisitorInput!) { registerVisitor(input: $input) { passcodeSent } }"""
    )
    variables = {"input": {"sightingId": sighting_id, "name": "Ada", "phoneNumber": "+12025550100"}}
    await execute(base, register, variables, token)
    code = passcode_in(outbox(base, token, "sms")[0]["text"])
    validate = "mutation($otp: String!) { validateOtp(otp: $otp) { granted } }"
    results = await asyncio.gather(*(execute(base, validate, {"otp": code}) for _ in range(50)))
    assert sorted(r["validateOtp"]["granted"] for r in results) == [False] * 49 + [True]
