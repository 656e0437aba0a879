"""The AppSync publisher against a real HTTP peer on 127.0.0.1 that records what it is sent.

AppSync itself cannot run here (moto has no query execution), so the peer stands in for the endpoint: the
request must be SigV4-signed for the appsync service, carry the publishSighting mutation with the console's
selection, and the sighting as PublishSightingInput. A failure to publish is logged, never raised.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.credentials import Credentials
from graphql import parse, print_ast

from smartdoor.adapters.aws.appsync_publisher import (
    PUBLISH_SIGHTING,
    SIGHTING_SELECTION,
    AppSyncPublisher,
    publish_input,
)
from smartdoor.domain.model import Photo, Sighting, SightingStatus

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PHOTO = Photo("sightings/s1.jpg", "door-photos", AT)
SIGHTING = Sighting("s1", "face-1", "front-door", SightingStatus.PENDING, AT, photo=PHOTO, face_photo=PHOTO)
CREDENTIALS = Credentials("AKIDEXAMPLE", "secret-example")


@dataclass
class Peer:
    """What the peer was sent, and what it answers (status, JSON body)."""

    url: str
    requests: list[tuple[str, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    answer: tuple[int, dict[str, Any]] = (200, {"data": {"publishSighting": {"id": "s1"}}})


@pytest.fixture
def peer() -> Iterator[Peer]:
    state = Peer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append((self.path, dict(self.headers.items()), json.loads(body)))
            status, answer = state.answer
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:  # keep the test output to the test's own
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/graphql"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def publisher(url: str) -> AppSyncPublisher:
    return AppSyncPublisher(
        url, "eu-west-1", CREDENTIALS, photo_url=lambda p: f"https://photos.example/{p.object_key}"
    )


def test_a_sighting_is_published_signed_with_the_consoles_selection(peer: Peer) -> None:
    publisher(peer.url).publish(SIGHTING)

    [(path, headers, body)] = peer.requests
    assert path == "/graphql"
    authorization = {k.lower(): v for k, v in headers.items()}["authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-west-1/appsync/aws4_request" in authorization
    assert "Signature=" in authorization
    # The same document as the publisher's (gql prints it again on the way), so the console's selection
    assert print_ast(parse(body["query"])) == print_ast(parse(PUBLISH_SIGHTING))
    assert f"{{ {SIGHTING_SELECTION} }}" in PUBLISH_SIGHTING
    assert body["operationName"] == "PublishSighting"
    assert body["variables"] == {
        "input": publish_input(SIGHTING, lambda p: f"https://photos.example/{p.object_key}")
    }
    assert body["variables"]["input"]["photo"] == {
        "objectKey": "sightings/s1.jpg",
        "bucket": "door-photos",
        "createdTimestamp": "2026-11-23T12:00:00.000Z",
        "url": "https://photos.example/sightings/s1.jpg",
    }


@pytest.mark.parametrize(
    "answer",
    [
        (500, {"message": "internal"}),
        (403, {"errors": [{"errorType": "UnauthorizedException", "message": "not authorized"}]}),
        (200, {"errors": [{"message": "Validation error of type FieldUndefined"}]}),
    ],
    ids=["server-error", "forbidden", "graphql-errors"],
)
def test_a_failed_publish_is_logged_and_does_not_fail_the_flow(
    peer: Peer, answer: tuple[int, dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    peer.answer = answer

    publisher(peer.url).publish(SIGHTING)  # raises nothing

    assert len(peer.requests) == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "could not publish sighting s1 to the console (it is stored)"
    ]


def test_an_endpoint_nobody_answers_is_logged_and_does_not_fail_the_flow(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:  # a port just free: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    publisher(f"http://127.0.0.1:{port}/graphql").publish(SIGHTING)

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "could not publish sighting s1 to the console (it is stored)"
    ]
