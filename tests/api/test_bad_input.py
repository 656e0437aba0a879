"""Bad input gets a clear error and changes nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from gql.transport.exceptions import TransportQueryError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.api.conftest import RunningServer, ServerLog
from tests.api.helpers import door_state, event, execute, outbox, post_face_event

pytestmark = pytest.mark.api

REGISTER = """mutation($input: RegisterVisitorInput!) {
  registerVisitor(input: $input) { passcodeSent visitor { id name } } }"""


async def _error(
    server: RunningServer, document: str, variables: dict[str, Any], token: str | None
) -> dict[str, Any]:
    with pytest.raises(TransportQueryError) as caught:
        await execute(server.url, document, variables, token)
    errors = caught.value.errors
    assert errors is not None
    assert len(errors) == 1
    error: dict[str, Any] = errors[0]
    return error


def _pending_sighting(server: RunningServer) -> str:
    response = post_face_event(server.url, server.token, event("unknown_face.json"))
    sighting_id: str = response.json()["sightings"][0]["id"]
    return sighting_id


async def _visitor_count(server: RunningServer) -> int:
    data = await execute(server.url, "query { visitors { items { id } } }", token=server.token)
    return len(data["visitors"]["items"])


@pytest.mark.parametrize(
    "phone",
    [
        "206 555 0100",
        "+1 206",
        "+0 206 555 0100",
        "+1 206 555 0100 99999",
        "+1 206 CALL NOW",
        "",
        "+1 206 555 01",  # a regex took this one and texted +120655501
        "+99912345678",
        "+10000000000",
    ],
)
async def test_invalid_phone_numbers(server: RunningServer, phone: str) -> None:
    sighting_id = _pending_sighting(server)
    error = await _error(
        server,
        REGISTER,
        {"input": {"sightingId": sighting_id, "name": "Ada", "phoneNumber": phone}},
        server.token,
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "phoneNumber"}
    assert "international format" in error["message"]
    assert await _visitor_count(server) == 0
    assert outbox(server.url, server.token, "sms") == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "Enter"),
        ("   ", "Enter"),
        ("x" * 81, "too long"),
        ("Ada\u202eecalevoL", "control or format"),
        ("Ada\U000f0000", "private-use"),
        ("...", "letters"),
    ],
)
async def test_invalid_names(server: RunningServer, name: str, reason: str) -> None:
    sighting_id = _pending_sighting(server)
    error = await _error(
        server,
        REGISTER,
        {"input": {"sightingId": sighting_id, "name": name, "phoneNumber": "+12065550100"}},
        server.token,
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "name"}
    assert reason in error["message"]
    assert await _visitor_count(server) == 0


async def test_huge_name_is_refused_before_parsing(server: RunningServer) -> None:
    sighting_id = _pending_sighting(server)
    body = {
        "query": REGISTER,
        "variables": {
            "input": {"sightingId": sighting_id, "name": "x" * 200_000, "phoneNumber": "+12065550100"}
        },
    }
    response = httpx.post(
        f"{server.url}/graphql", json=body, headers={"authorization": f"Bearer {server.token}"}
    )
    assert response.status_code == 413
    assert await _visitor_count(server) == 0


async def test_html_in_names_is_kept_as_text(server: RunningServer) -> None:
    sighting_id = _pending_sighting(server)
    name = '<script>alert("x")</script>'
    data = await execute(
        server.url,
        REGISTER,
        {"input": {"sightingId": sighting_id, "name": name, "phoneNumber": "+12065550100"}},
        server.token,
    )
    # JSON carries it verbatim; the pages set it as text, and emails escape it.
    assert data["registerVisitor"]["visitor"]["name"] == name


@pytest.mark.parametrize("token", [None, "wrong-token"])
async def test_owner_operations_need_the_owner_token(server: RunningServer, token: str | None) -> None:
    sighting_id = _pending_sighting(server)
    for document, variables in [
        ("query { sightings { items { id } } }", {}),
        ("query { visitors { items { id } } }", {}),
        (
            "mutation($id: ID!) { approveVisitor(sightingId: $id, decision: DENY) { id } }",
            {"id": sighting_id},
        ),
        ('mutation { forgetVisitor(id: "v") }', {}),
    ]:
        error = await _error(server, document, variables, token)
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert "Send the header Authorization: Bearer <owner token>" in error["message"]
    listing = await execute(server.url, "query { sightings { items { status } } }", token=server.token)
    assert listing["sightings"]["items"] == [{"status": "PENDING"}]
    for path in ("/outbox.json", "/outbox/1/images/visitor-photo"):
        headers = {"authorization": f"Bearer {token}"} if token else {}
        assert httpx.get(f"{server.url}{path}", headers=headers).status_code == 401


@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer wrong"}, {"token": "wrong"}])
async def test_subscription_needs_the_owner_token(server: RunningServer, payload: dict[str, str]) -> None:
    async with connect(server.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_the_legacy_subscription_protocol_is_refused(server: RunningServer) -> None:
    # The legacy graphql-ws protocol had an auth-bypass advisory: the server closes such a socket at once.
    async with connect(server.ws_url, subprotocols=[Subprotocol("graphql-ws")]) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"InputInformation": {}}',
        b'{"InputInformation": {"KinesisVideo": {"ProducerTimestamp": "soon"}}, "FaceSearchResponse": []}',
        b'{"record": {"FaceSearchResponse": 3}, "frame": "!!"}',
    ],
)
def test_malformed_face_events(server: RunningServer, body: bytes) -> None:
    response = httpx.post(
        f"{server.url}/face-events", content=body, headers={"authorization": f"Bearer {server.token}"}
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("Bad face event:")
    assert outbox(server.url, server.token) == []


def _link_tokens(server: RunningServer) -> tuple[str, str]:
    sighting_id = _pending_sighting(server)
    [email] = outbox(server.url, server.token, "email")
    token = email["text"].split("/approve?token=")[1].split()[0]
    return sighting_id, token


async def test_signed_link_registers_once(server: RunningServer) -> None:
    sighting_id, token = _link_tokens(server)
    variables = {
        "input": {"sightingId": sighting_id, "name": "Bo", "phoneNumber": "+12065550100", "token": token}
    }
    data = await execute(server.url, REGISTER, variables)
    assert data["registerVisitor"]["visitor"]["name"] == "Bo"
    # Replayed: the same link does nothing more.
    error = await _error(server, REGISTER, variables, None)
    assert error["extensions"]["code"] in ("LINK_USED", "CONFLICT")
    assert await _visitor_count(server) == 1
    assert len(outbox(server.url, server.token, "sms")) == 1


async def test_tampered_and_expired_links(server: RunningServer) -> None:
    sighting_id, token = _link_tokens(server)
    body, _, mac = token.partition(".")
    tampered = f"{body}.{('A' if mac[0] != 'A' else 'B')}{mac[1:]}"
    deny = """mutation($id: ID!, $t: String) {
      approveVisitor(sightingId: $id, decision: DENY, token: $t) { status } }"""
    error = await _error(server, deny, {"id": sighting_id, "t": tampered}, None)
    assert error["extensions"]["code"] == "LINK_INVALID"
    server.clock.advance(days=2)
    error = await _error(server, deny, {"id": sighting_id, "t": token}, None)
    assert error["extensions"]["code"] == "LINK_EXPIRED"
    listing = await execute(server.url, "query { sightings { items { status } } }", token=server.token)
    assert listing["sightings"]["items"] == [{"status": "PENDING"}]


async def test_malformed_graphql_gets_a_clear_error(server: RunningServer) -> None:
    response = httpx.post(
        f"{server.url}/graphql", json={"query": "mutation { validateOtp(otp: ) { granted } }"}
    )
    assert response.status_code == 200
    assert "Syntax Error" in response.json()["errors"][0]["message"]
    response = httpx.post(
        f"{server.url}/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_an_unexpected_failure_is_an_internal_error_without_details(
    server: RunningServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("secret detail of a broken disk")

    monkeypatch.setattr(server.door.door.visitors, "list", broken)
    error = await _error(server, "query { visitors { items { id } } }", {}, server.token)
    assert error["message"] == "Internal error."
    assert error["extensions"] == {"code": "INTERNAL"}
    assert "secret detail" in caplog.text  # logged for the owner, not sent to the client


@pytest.mark.parametrize("path", ["/", "/door", "/approve", "/deny", "/camera", "/outbox"])
def test_pages_cannot_be_framed_by_another_site(server: RunningServer, path: str) -> None:
    response = httpx.get(f"{server.url}{path}")
    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"


def test_static_files_stay_inside_their_folder(server: RunningServer) -> None:
    assert httpx.get(f"{server.url}/static/graphql.js").status_code == 200
    assert httpx.get(f"{server.url}/static/..%2f..%2fpyproject.toml").status_code == 404
    assert httpx.get(f"{server.url}/photos/..%2fsecret-key?exp=9999999999&sig=x").status_code == 403


async def _sighting_status(server: RunningServer, sighting_id: str) -> str:
    query = "query($id: ID!) { sighting(id: $id) { status } }"
    data = await execute(server.url, query, {"id": sighting_id}, server.token)
    status: str = data["sighting"]["status"]
    return status


async def test_a_name_no_store_can_hold_leaves_the_sighting_registrable(server: RunningServer) -> None:
    # GIVEN a new face; WHEN the owner registers it with a lone surrogate in the name (valid JSON: "\ud800",
    # which no store and no SMS can carry)
    sighting_id = _pending_sighting(server)
    bad = {"input": {"sightingId": sighting_id, "name": "Ada\ud800", "phoneNumber": "+12065550100"}}
    response = httpx.post(
        f"{server.url}/graphql",
        content=json.dumps({"query": REGISTER, "variables": bad}),  # ensure_ascii: the escape as written
        headers={"content-type": "application/json", "authorization": f"Bearer {server.token}"},
    )
    # THEN it is refused as input, and nothing of the registration happened
    assert response.status_code == 400
    assert "lone surrogate" in response.text
    assert await _sighting_status(server, sighting_id) == "PENDING"
    assert await _visitor_count(server) == 0
    # AND a retry with a good name registers the visitor and texts them once
    good = {"input": {"sightingId": sighting_id, "name": "Ada", "phoneNumber": "+1 206 555 0100"}}
    data = await execute(server.url, REGISTER, good, server.token)
    assert (data["registerVisitor"]["passcodeSent"], data["registerVisitor"]["visitor"]["name"]) == (
        True,
        "Ada",
    )
    assert await _sighting_status(server, sighting_id) == "REGISTERED"
    assert [m["to"] for m in outbox(server.url, server.token, "sms")] == ["+12065550100"]


async def test_a_storage_failure_midway_undoes_the_whole_registration(server: RunningServer) -> None:
    sighting_id = _pending_sighting(server)
    # GIVEN a database that fails the visitor's insert, after the sighting's transition in the same unit
    conn = server.door.database.connection()
    conn.execute(
        "CREATE TRIGGER refuse_visitors BEFORE INSERT ON visitors BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    variables = {"input": {"sightingId": sighting_id, "name": "Ada", "phoneNumber": "+12065550100"}}
    error = await _error(server, REGISTER, variables, server.token)
    assert error["extensions"]["code"] == "UNAVAILABLE"
    # THEN the sighting is still registrable, and no SMS left
    assert await _sighting_status(server, sighting_id) == "PENDING"
    assert outbox(server.url, server.token, "sms") == []
    # WHEN the storage recovers, the same registration goes through
    conn.execute("DROP TRIGGER refuse_visitors")
    data = await execute(server.url, REGISTER, variables, server.token)
    assert data["registerVisitor"]["passcodeSent"] is True
    assert await _sighting_status(server, sighting_id) == "REGISTERED"
    assert len(outbox(server.url, server.token, "sms")) == 1


def _register_body(server: RunningServer, **extra: str) -> str:
    """A registerVisitor request that would succeed: the bad part is spliced in as extra variables."""
    variables = {
        "input": {"sightingId": _pending_sighting(server), "name": "Ada", "phoneNumber": "+12065550100"}
    }
    body = json.dumps({"query": REGISTER, "variables": variables})
    spliced = "".join(f', "{name}": {raw}' for name, raw in extra.items())
    return body[: -len("}}")] + spliced + "}}"


@pytest.mark.parametrize(
    ("junk", "reason"),
    [
        ("[" * 1000 + "]" * 1000, "nested deeper than 32 levels"),
        ('{"a":' * 1000 + "1" + "}" * 1000, "nested deeper than 32 levels"),
        ("1" * 5000, "more than 40 digits"),
        ("1e999", "too large"),
        ("NaN", "NaN is not JSON"),
        ('"\\ud800"', "lone surrogate"),
    ],
)
def test_bad_json_in_a_graphql_body_is_a_clear_400_and_changes_nothing(
    server: RunningServer, server_log: ServerLog, junk: str, reason: str
) -> None:
    body = _register_body(server, junk=junk)
    before = door_state(server.url, server.token)
    response = httpx.post(
        f"{server.url}/graphql",
        content=body,
        headers={"authorization": f"Bearer {server.token}", "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert reason in response.text
    assert door_state(server.url, server.token) == before
    assert server_log.faults() == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"query": "{ __typename }", "operationName": "\xff"}', "not UTF-8"),
        (b"3", "a JSON object is expected, not a number"),
        (b'"{ __typename }"', "a JSON object is expected, not a string"),
        (b"null", "a JSON object is expected, not null"),
        (b'[{"query": "{ __typename }"}]', "a JSON object is expected, not an array"),
    ],
)
def test_a_graphql_body_that_is_not_a_json_object_is_a_clear_400(
    server: RunningServer, server_log: ServerLog, body: bytes, reason: str
) -> None:
    response = httpx.post(f"{server.url}/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert reason in response.text
    assert server_log.faults() == []


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"variables": "[" * 1000 + "]" * 1000}, "nested deeper than 32 levels"),
        ({"variables": '{"a": ' + "9" * 5000 + "}"}, "more than 40 digits"),
        ({"extensions": '{"a":' * 1000 + "1" + "}" * 1000}, "nested deeper than 32 levels"),
        ({"variables": '{"id": "\\udc00"}'}, "lone surrogate"),
        ({"variables": "[1]"}, "a JSON object is expected, not an array"),
        ({"variables": "{"}, "not JSON"),
    ],
)
def test_bad_json_in_graphql_query_parameters_is_a_clear_400(
    server: RunningServer, server_log: ServerLog, params: dict[str, str], reason: str
) -> None:
    response = httpx.get(
        f"{server.url}/graphql",
        params={"query": "query($id: ID!) { sighting(id: $id) { id } }", **params},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert reason in response.text
    assert server_log.faults() == []


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        "[" * 1000 + "]" * 1000,
        '{"type": "connection_init", "payload": {"n": ' + "1" * 5000 + "}}",
    ],
)
async def test_a_websocket_message_that_is_not_bounded_json_closes_with_4400(
    server: RunningServer, server_log: ServerLog, message: str
) -> None:
    async with connect(server.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(message)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
    assert server_log.faults() == []


def _record_with(path: str, value: object) -> dict[str, Any]:
    """unknown_face.json with one value replaced; path is dotted, list indexes are numbers."""
    record = event("unknown_face.json")
    *parents, last = path.split(".")
    target: Any = record
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return record


def _small_jpeg() -> bytes:
    import cv2
    import numpy as np

    ok, jpeg = cv2.imencode(".jpg", np.full((120, 160, 3), 128, np.uint8))
    assert ok
    return bytes(jpeg.tobytes())


FACE = "FaceSearchResponse.0.DetectedFace"
MATCH = {"Similarity": 99.0, "Face": {"FaceId": "f-1", "ExternalImageId": "visitor-1"}}


@pytest.mark.parametrize(
    ("record", "with_frame", "reason"),
    [
        (_record_with(f"{FACE}.BoundingBox.Left", 1e308), True, "BoundingBox.Left is outside"),
        (_record_with(f"{FACE}.BoundingBox.Width", -1e308), True, "BoundingBox.Width is outside"),
        (_record_with(f"{FACE}.BoundingBox.Top", 40.0), False, "BoundingBox.Top is outside"),
        (_record_with(f"{FACE}.Confidence", 1000), False, "Confidence is outside 0..100"),
        (
            _record_with("FaceSearchResponse.0.MatchedFaces", [{**MATCH, "Similarity": 1e6}]),
            False,
            "Similarity is outside 0..100",
        ),
        (
            _record_with("FaceSearchResponse.0.MatchedFaces", [{**MATCH, "Face": {"FaceId": "x" * 300}}]),
            False,
            "FaceId must be",
        ),
        (
            _record_with(
                "InputInformation.KinesisVideo.StreamArn", "arn:aws:kinesisvideo:r:1:stream/a\r\nBcc: x/1"
            ),
            False,
            "camera",
        ),
        (_record_with(f"{FACE}.Descriptor", [0.5] * 3), False, "Descriptor has 3 values"),
        (_record_with(f"{FACE}.Descriptor", [0.5] * 127 + ["1e999"]), False, "Descriptor"),
    ],
)
def test_face_events_outside_what_a_camera_can_see_are_refused(
    server: RunningServer, server_log: ServerLog, record: dict[str, Any], with_frame: bool, reason: str
) -> None:
    before = door_state(server.url, server.token)
    response = post_face_event(server.url, server.token, record, _small_jpeg() if with_frame else None)
    assert response.status_code == 400, response.text
    assert response.json()["error"].startswith("Bad face event:")
    assert reason in response.json()["error"]
    assert door_state(server.url, server.token) == before
    assert server_log.faults() == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[" * 100_000, "nested deeper than 32 levels"),
        (b'{"record": ' * 1000 + b"{}" + b"}" * 1000, "nested deeper than 32 levels"),
        (b'{"InputInformation": ' + b"7" * 5000 + b"}", "more than 40 digits"),
        (b'{"InputInformation": {"KinesisVideo": {"StreamArn": "\xff"}}}', "not UTF-8"),
        (
            json.dumps(
                _record_with("FaceSearchResponse.0.MatchedFaces", [{**MATCH, "Face": {"FaceId": "\ud800"}}])
            ).encode(),
            "lone surrogate",
        ),
    ],
)
def test_face_event_bodies_that_are_not_bounded_json_are_refused(
    server: RunningServer, server_log: ServerLog, body: bytes, reason: str
) -> None:
    response = httpx.post(
        f"{server.url}/face-events", content=body, headers={"authorization": f"Bearer {server.token}"}
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("Bad face event:")
    assert reason in response.json()["error"]
    assert outbox(server.url, server.token) == []
    assert server_log.faults() == []


def test_a_face_event_camera_named_in_the_query_must_be_a_plain_name(
    server: RunningServer, server_log: ServerLog
) -> None:
    record = event("unknown_face.json")
    del record["InputInformation"]["KinesisVideo"]["StreamArn"]
    response = httpx.post(
        f"{server.url}/face-events",
        params={"camera": "porch\nBcc: someone"},
        json=record,
        headers={"authorization": f"Bearer {server.token}"},
    )
    assert response.status_code == 400
    assert "camera" in response.json()["error"]
    assert outbox(server.url, server.token) == []
    assert server_log.faults() == []


CLIENT_MISTAKES = [
    "mutation { validateOtp(otp: ) { granted } }",  # syntax
    "query { nothingHere }",  # validation: no such field
    'query { visitor(id: "v") { id } ',  # syntax: unclosed
    "query($n: Int) { visitors(limit: $n) { items { id } } }",  # fine document, bad variable below
    "query { " + " ".join(f"a{i}: __typename" for i in range(20)) + " }",  # too many aliases
    "query { " + "__typename " * 2500 + "}",  # too many tokens
    "subscription { onSighting { id } } query { x }",  # validation: unknown field, two operations
    # validation: a literal our own scalar refuses (its ValueError rides along as the original error)
    """mutation { publishSighting(input: {id: "a", faceId: "b", cameraId: "c", status: PENDING,
      createdAt: "yesterday"}) { id } }""",
]


def test_graphql_client_mistakes_are_not_logged_as_errors(
    server: RunningServer, server_log: ServerLog
) -> None:
    # 10,000 bad requests once wrote 5,000 ERROR lines: a client's bad document is its fault, not ours.
    for round_ in range(5):
        for document in CLIENT_MISTAKES:
            response = httpx.post(
                f"{server.url}/graphql",
                json={"query": document, "variables": {"n": "not a number"}},
                headers={"authorization": f"Bearer {server.token}"},
            )
            assert response.status_code in (200, 400), (round_, document, response.text)
            assert response.json()["errors"], document
    assert server_log.faults() == []


async def test_an_unexpected_failure_is_still_logged_as_an_error_with_its_traceback(
    server: RunningServer, server_log: ServerLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("a broken disk")

    monkeypatch.setattr(server.door.door.visitors, "list", broken)
    await _error(server, "query { visitors { items { id } } }", {}, server.token)
    [fault] = server_log.faults()
    assert "RuntimeError: a broken disk" in fault


async def test_a_bad_subscription_document_is_answered_not_logged_as_an_error(
    server: RunningServer, server_log: ServerLog
) -> None:
    async with connect(server.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": server.token}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), timeout=10))["type"] == "connection_ack"
        invalid = {"query": "subscription { onSighting { nope } }"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": invalid}))
        reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        assert (reply["type"], reply["id"]) == ("error", "1")
        assert "Cannot query field 'nope'" in reply["payload"][0]["message"]
        # A syntax error closes the socket, as graphql-transport-ws says; it used to crash the operation's
        # task instead (a logged traceback, and a bare "complete").
        await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": {"query": "subscription {"}}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=10)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        4400,
        "Syntax Error: Expected Name, found <EOF>.",
    )
    assert server_log.faults() == []


SUBSCRIBE = "subscription { onSighting { id } }"


@pytest.mark.parametrize(
    "message",
    [
        [],
        "text",
        3,
        None,
        {"id": "1", "type": "subscribe", "payload": 5},
        {"id": "1", "type": "subscribe", "payload": {"query": 5}},
        {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": []}},
        {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "operationName": {}}},
        {"id": 1, "type": "subscribe", "payload": {"query": SUBSCRIBE}},
        {"id": "1", "type": "complete", "extra": "x"} | {"id": ["1"]},
        {"type": ["ping"]},
    ],
)
async def test_a_websocket_message_of_the_wrong_shape_closes_with_4400(
    server: RunningServer, server_log: ServerLog, message: object
) -> None:
    async with connect(server.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": server.token}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), timeout=10))["type"] == "connection_ack"
        await ws.send(json.dumps(message))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
    assert server_log.faults() == []


async def test_a_huge_websocket_message_is_refused_before_it_is_decoded(
    server: RunningServer, server_log: ServerLog
) -> None:
    # Anyone may open the socket: a 16 MB message (uvicorn's cap) of "[]" held the event loop for a second.
    async with connect(
        server.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")], max_size=None
    ) as ws:
        await ws.send('{"type": "ping", "payload": {"a": [' + "[]," * 100_000 + "[]]}}")
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400
    assert server_log.faults() == []
