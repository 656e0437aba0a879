"""Small clients for the api tier: gql over HTTP and websockets, and the plain routes."""

from __future__ import annotations

import base64
import itertools
import json
import re
from pathlib import Path
from typing import Any

import httpx
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport

EVENTS = Path(__file__).resolve().parents[1] / "events"


def http_client(url: str, token: str | None = None) -> Client:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return Client(transport=AIOHTTPTransport(url=f"{url}/graphql", headers=headers, ssl=False))


async def execute(
    url: str, document: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> Any:
    async with http_client(url, token) as session:
        return await session.execute(GraphQLRequest(document, variable_values=variables or {}))


def post_face_event(
    url: str, token: str, record: dict[str, Any], frame: bytes | None = None
) -> httpx.Response:
    body = {"record": record, "frame": base64.b64encode(frame).decode()} if frame else record
    return httpx.post(
        f"{url}/face-events?camera=front-door",
        content=json.dumps(body),
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
        timeout=30,
    )


def outbox(url: str, token: str, kind: str | None = None) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{url}/outbox.json",
        params={"kind": kind} if kind else {},
        headers={"authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def passcode_in(sms_text: str) -> str:
    match = re.search(r"\b(\d{6})\b", sms_text)
    assert match, f"no passcode in {sms_text!r}"
    return match.group(1)


def event(name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return record


_later_frames = itertools.count(1)


def later_frame(name: str) -> dict[str, Any]:
    """The record of a later frame of the stream: its own fragment, as a frame's record is handled once."""
    record = event(name)
    video = record["InputInformation"]["KinesisVideo"]
    video["FragmentNumber"] = f"{video['FragmentNumber']}-later-{next(_later_frames)}"
    return record


def known_face_event(face_id: str, label: str, similarity: float = 99.0) -> dict[str, Any]:
    """A later frame of the stream matching a face."""
    record = later_frame("unknown_face.json")
    record["FaceSearchResponse"][0]["MatchedFaces"] = [
        {"Similarity": similarity, "Face": {"FaceId": face_id, "ExternalImageId": label, "Confidence": 99.9}}
    ]
    return record


STATE = """query { sightings(limit: 100) { items { id status } } visitors(limit: 100) { items { id } }
  doorEvents(limit: 100) { items { id } } }"""


def door_state(url: str, token: str) -> dict[str, Any]:
    """What a refused request must leave as it was: sightings, visitors, door events, the outbox."""
    response = httpx.post(
        f"{url}/graphql", json={"query": STATE}, headers={"authorization": f"Bearer {token}"}, timeout=30
    )
    response.raise_for_status()
    data: dict[str, Any] = response.json()["data"]
    return {**data, "outbox": [m["id"] for m in outbox(url, token)]}
