"""`smartdoor serve --workers 2`: two processes on one port, one door: every console sees every sighting,
and a passcode still opens the door once, whichever process the tries reach."""

from __future__ import annotations

import asyncio
import contextlib
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
from tests.waiting import Output

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
    output = Output(process.stdout)
    try:
        banner = output.wait_for("Owner console")
        match = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=(\S+)", banner)
        assert match, banner
        base, token = match.group(1), match.group(2)
        # Both processes accept once both have said so; only then may a test count on either.
        output.wait(lambda text: text.count("Application startup complete") == 2)
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
        yield base, token
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
        rest = output.all()
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


async def _new_sighting(base: str, token: str) -> str:
    response = await asyncio.to_thread(post_face_event, base, token, later_frame("unknown_face.json"))
    sighting_id: str = response.json()["sightings"][0]["id"]
    return sighting_id


async def _sighting_id(ws: ClientConnection, within: float) -> str:
    message = json.loads(await asyncio.wait_for(ws.recv(), within))
    sighting_id: str = message["payload"]["data"]["onSighting"]["id"]
    return sighting_id


async def _until_live(consoles: list[ClientConnection], base: str, token: str) -> set[str]:
    """Send warm-up sightings until every console has received one: the signal that its subscription is
    registered in its process (graphql-transport-ws acknowledges no subscribe). Returns their ids."""
    warm_ups: set[str] = set()
    waiting = list(consoles)
    deadline = time.monotonic() + 30
    while waiting:
        assert time.monotonic() < deadline, f"{len(waiting)} consoles never went live"
        warm_ups.add(await _new_sighting(base, token))
        for ws in list(waiting):
            with contextlib.suppress(TimeoutError):  # not live yet: the next warm-up may reach it
                await _sighting_id(ws, within=1)
                waiting.remove(ws)
    return warm_ups


async def test_every_console_sees_every_sighting(two_workers: tuple[str, str]) -> None:
    base, token = two_workers
    consoles = [await _subscribe(base, token) for _ in range(6)]  # new connections land on either process
    warm_ups = await _until_live(consoles, base, token)
    made = [await _new_sighting(base, token) for _ in range(6)]
    for ws in consoles:
        got: list[str] = []
        while len(got) < len(made):
            sighting_id = await _sighting_id(ws, within=10)
            if sighting_id not in warm_ups:  # the later warm-ups reached consoles that were live early
                got.append(sighting_id)
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


@pytest.mark.parametrize("round_", [1, 2, 3])
async def test_fifty_wrong_codes_at_once_across_processes_get_five_evaluated(
    two_workers: tuple[str, str], round_: int
) -> None:
    # Fresh connections, which the kernel spreads over both processes; each round is a new server.
    base, _ = two_workers
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        body = {"query": 'mutation { validateOtp(otp: "000000") { message } }'}
        # A new X-Forwarded-For on every request from 127.0.0.1, which uvicorn would believe by default.
        posts = (
            client.post("/graphql", json=body, headers={"x-forwarded-for": f"198.51.100.{n}"})
            for n in range(50)
        )
        responses = await asyncio.gather(*posts)
    messages = [r.json()["data"]["validateOtp"]["message"] for r in responses]
    evaluated = messages.count("Permission denied")
    assert (evaluated, len(messages)) == (5, 50)
    locked = [m for m in messages if m != "Permission denied"]
    assert all(m.startswith("Permission denied. Too many wrong codes: try again in ") for m in locked)
