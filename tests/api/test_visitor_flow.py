"""The whole visitor flow over GraphQL against a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import cv2
import httpx
import numpy as np
import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from tests import visitor_flow_steps as steps
from tests.api.conftest import RunningServer
from tests.api.helpers import event, execute, known_face_event, outbox, passcode_in, post_face_event
from tests.waiting import wait_until_async

pytestmark = pytest.mark.api

SUBSCRIBE = (
    "subscription { onSighting { id faceId cameraId status createdAt photo { url } facePhoto { url } } }"
)
APPROVE = "mutation($id: ID!) { approveVisitor(sightingId: $id, decision: APPROVE) { id status } }"
REGISTER = """mutation($input: RegisterVisitorInput!) {
  registerVisitor(input: $input) {
    passcodeSent visitor { id faceId name phoneNumber phoneNumberInternational photos { objectKey } } } }"""
VALIDATE = "mutation($otp: String!) { validateOtp(otp: $otp) { granted message visitorName } }"


async def _first_sighting(server: RunningServer, send: Any) -> dict[str, Any]:
    """Subscribe as the owner, then trigger ``send``; return the first onSighting payload."""
    transport = WebsocketsTransport(
        url=server.ws_url,
        init_payload={"Authorization": f"Bearer {server.token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    async with Client(transport=transport) as session:
        stream = session.subscribe(gql(SUBSCRIBE))
        first = asyncio.ensure_future(anext(stream))
        # The subscription is registered once the broker counts it (graphql-transport-ws sends no ack).
        assert await wait_until_async(lambda: server.door.broker.subscriber_count > 0, within=20)
        await asyncio.to_thread(send)
        payload: dict[str, Any] = await asyncio.wait_for(first, timeout=20)
        await stream.aclose()
        sighting: dict[str, Any] = payload["onSighting"]
        return sighting


async def test_unknown_face_to_welcome(server: RunningServer, face_jpeg: bytes) -> None:
    # GIVEN an owner watching the console
    # WHEN an unknown face arrives at the door
    def arrive() -> None:
        response = post_face_event(server.url, server.token, event("unknown_face.json"), face_jpeg)
        assert response.status_code == 200, response.text

    sighting = await _first_sighting(server, arrive)
    # THEN the console receives it live, with a photo link that works
    assert sighting["status"] == "PENDING"
    assert sighting["cameraId"] == "front-door"
    assert sighting["createdAt"] == "2025-11-23T12:13:21.450Z"
    assert sighting["photo"]["url"].startswith(f"{server.url}/photos/sightings/")
    assert httpx.get(sighting["photo"]["url"]).content == face_jpeg
    face = cv2.imdecode(
        np.frombuffer(httpx.get(sighting["facePhoto"]["url"]).content, np.uint8), cv2.IMREAD_COLOR
    )
    frame = cv2.imdecode(np.frombuffer(face_jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert face is not None
    assert frame is not None
    assert 0 < face.shape[0] < frame.shape[0]
    assert 0 < face.shape[1] < frame.shape[1]
    # and the owner got one email with signed approve and deny links
    emails = outbox(server.url, server.token, "email")
    assert len(emails) == 1
    assert f"{server.url}/approve?token=" in emails[0]["text"]
    assert emails[0]["images"] == ["visitor-photo"]

    # WHEN the owner approves and registers the visitor
    approved = await execute(server.url, APPROVE, {"id": sighting["id"]}, server.token)
    assert approved["approveVisitor"] == steps.approved(sighting["id"])
    registered = await execute(
        server.url,
        REGISTER,
        {"input": {"sightingId": sighting["id"], **steps.REGISTRATION}},
        server.token,
    )
    visitor = steps.assert_registered(registered["registerVisitor"], sighting["id"], sighting["faceId"])

    # THEN the visitor has an SMS with a passcode that opens the door once
    sms = outbox(server.url, server.token, "sms")
    assert [m["to"] for m in sms] == [steps.SMS_TO]
    code = passcode_in(sms[0]["text"])
    welcome = await execute(server.url, VALIDATE, {"otp": code})
    assert welcome["validateOtp"] == steps.WELCOME
    again = await execute(server.url, VALIDATE, {"otp": code})
    assert again["validateOtp"] == steps.DENIED

    # WHEN the visitor comes back (after the per-phone SMS limit's minute)
    server.clock.advance(minutes=2)
    returning = known_face_event(visitor["faceId"], f"visitor-{visitor['id']}")
    first = post_face_event(server.url, server.token, returning, face_jpeg)
    assert first.json()["sightings"][0]["status"] == "KNOWN"
    # THEN exactly one more SMS; more frames of the same visit send nothing
    for _ in range(5):
        server.clock.advance(seconds=10)
        assert post_face_event(server.url, server.token, returning, face_jpeg).json() == {"sightings": []}
    sms = outbox(server.url, server.token, "sms")
    assert len(sms) == 2
    second_code = passcode_in(sms[0]["text"])
    opened = await execute(server.url, VALIDATE, {"otp": second_code})
    assert opened["validateOtp"]["granted"] is True

    # AND the owner's timeline tells the whole story, names included, codes never
    timeline = await execute(
        server.url, "query { doorEvents(limit: 50) { items { kind visitorName } } }", token=server.token
    )
    kinds = Counter(item["kind"] for item in timeline["doorEvents"]["items"])
    # the first visit's story, then the return: one more arrival, code and opening
    assert kinds == steps.FIRST_VISIT + Counter({"VISITOR_ARRIVED": 1, "CODE_SENT": 1, "DOOR_OPENED": 1})
    assert code not in str(timeline)


async def test_more_frames_of_a_new_face_make_one_sighting(server: RunningServer, face_jpeg: bytes) -> None:
    response = post_face_event(server.url, server.token, event("unknown_face.json"), face_jpeg)
    [created] = response.json()["sightings"]
    listing = await execute(server.url, "query { sightings { items { id faceId } } }", token=server.token)
    face_id = listing["sightings"]["items"][0]["faceId"]
    for _ in range(3):
        again = post_face_event(
            server.url, server.token, known_face_event(face_id, f"sighting-{created['id']}")
        )
        assert again.json() == {"sightings": []}
    assert len(outbox(server.url, server.token, "email")) == 1


async def test_fifty_clients_racing_one_code_open_the_door_once(server: RunningServer) -> None:
    response = post_face_event(server.url, server.token, event("unknown_face.json"))
    sighting_id = response.json()["sightings"][0]["id"]
    register = {"input": {"sightingId": sighting_id, "name": "Ada", "phoneNumber": "+12025550100"}}
    await execute(server.url, REGISTER, register, server.token)
    code = passcode_in(outbox(server.url, server.token, "sms")[0]["text"])
    results = await asyncio.gather(*(execute(server.url, VALIDATE, {"otp": code}) for _ in range(50)))
    assert sorted(r["validateOtp"]["granted"] for r in results) == [False] * 49 + [True]
