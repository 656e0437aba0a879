"""GraphQL over HTTP: real documents with mutated variables, broken documents, hostile JSON, garbage."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.fuzz.conftest import FuzzedDoor, fuzz_settings
from tests.fuzz.strategies import encode, garbage_bytes, hostile, json_values, mutated

pytestmark = pytest.mark.fuzz

# validateOtp is left out: wrong codes are a legitimate answer that records ACCESS_DENIED and lock-outs.
DOCUMENTS: list[tuple[str, dict[str, Any]]] = [
    (
        """mutation($input: RegisterVisitorInput!) {
          registerVisitor(input: $input) { passcodeSent visitor { id name } } }""",
        {"input": {"sightingId": "PENDING", "name": "Ada", "phoneNumber": "+12065550100", "token": "t.x"}},
    ),
    (
        """mutation($id: ID!, $d: AccessDecision!, $t: String) {
          approveVisitor(sightingId: $id, decision: $d, token: $t) { id status } }""",
        {"id": "PENDING", "d": "NOPE", "t": None},
    ),
    ("mutation($id: ID!) { forgetVisitor(id: $id) }", {"id": "visitor-1"}),
    (
        """mutation($input: PublishSightingInput!) { publishSighting(input: $input) { id photo { url } } }""",
        {
            "input": {
                "id": "s-1",
                "faceId": "f-1",
                "cameraId": "porch",
                "status": "PENDING",
                "createdAt": "2026-11-23T12:00:00Z",
                "photo": {"objectKey": "k", "bucket": "b", "createdTimestamp": "2026-11-23T12:00:00+01:00"},
                "decidedAt": "yesterday",
            }
        },
    ),
    (
        """query($s: SightingStatus, $n: Int, $t: String) {
          sightings(status: $s, limit: $n, nextToken: $t) { items { id } nextToken } }""",
        {"s": "PENDING", "n": 3, "t": "bm90IGEgdG9rZW4="},
    ),
    (
        "query($id: ID!, $t: String) { sighting(id: $id, token: $t) { id status } }",
        {"id": "PENDING", "t": "x"},
    ),
    ("query($n: Int) { visitors(limit: $n) { items { id photos { url } } } }", {"n": 2**31}),
    ("query($n: Int, $t: String) { doorEvents(limit: $n, nextToken: $t) { items { id } } }", {"n": -1}),
]


@st.composite
def documents(draw: st.DrawFn) -> str:
    document, _ = draw(st.sampled_from(DOCUMENTS))
    cut = draw(st.integers(0, len(document)))
    chosen: str = draw(
        st.sampled_from(
            [
                document,
                document[:cut],  # truncated
                document[:cut] + draw(st.text(max_size=5)) + document[cut:],  # a few characters slipped in
                document.replace("$", draw(st.sampled_from(["", "$$", "@"])), 1),
                "{" * draw(st.integers(1, 300)),
            ]
        )
    )
    return chosen


@st.composite
def graphql_bodies(draw: st.DrawFn, pending: str) -> bytes:
    document, variables = draw(st.sampled_from(DOCUMENTS))
    variables = json.loads(json.dumps(variables).replace("PENDING", pending))
    kind = draw(st.sampled_from(["variables", "variables", "document", "envelope", "garbage"]))
    if kind == "variables":
        return encode({"query": document, "variables": draw(mutated(variables))})
    if kind == "document":
        return encode({"query": draw(documents()), "variables": variables})
    if kind == "envelope":
        envelope: dict[str, Any] = {"query": document, "variables": variables, "operationName": None}
        return encode(draw(mutated(envelope, max_mutations=2)))
    return draw(garbage_bytes)


@fuzz_settings(max_examples=100)
@given(data=st.data())
def test_graphql_posts_never_fail_the_server(door: FuzzedDoor, data: st.DataObject) -> None:
    body = data.draw(graphql_bodies(door.pending_sighting), label="body")
    headers = {b"content-type": b"application/json"}
    who = data.draw(st.sampled_from(["owner", "anonymous", "forged"]), label="who")
    if who == "owner":
        headers[b"authorization"] = f"Bearer {door.server.token}".encode()
    elif who == "forged":
        # Header bytes as a client may send them: Latin-1, not just ASCII (h11 refuses edge spaces).
        token = data.draw(st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40))
        headers[b"authorization"] = f"Bearer x{token}x".encode("latin-1")
    before = door.state()
    response = door.client.post("/graphql", content=body, headers=headers)
    door.check(response, before)


@fuzz_settings(max_examples=60)
@given(
    query=st.one_of(documents(), st.text(max_size=100)),
    variables=st.one_of(json_values, hostile).map(encode),
    extensions=st.one_of(st.none(), json_values.map(encode)),
    operation=st.one_of(st.none(), st.text(max_size=20)),
)
def test_graphql_gets_never_fail_the_server(
    door: FuzzedDoor, query: str, variables: bytes, extensions: bytes | None, operation: str | None
) -> None:
    # Percent-encoded bytes, so the server also meets escapes that are not UTF-8 (%FF).
    params = {"query": query.encode("utf-8", "surrogatepass"), "variables": variables}
    if extensions is not None:
        params["extensions"] = extensions
    if operation is not None:
        params["operationName"] = operation.encode("utf-8", "surrogatepass")
    query_string = "&".join(
        f"{name}={quote_from_bytes(value, safe='[]{}:,')}" for name, value in params.items()
    )
    assume(len(query_string) < 60_000)  # httpx's own limit on a URL
    response = door.client.get(f"/graphql?{query_string}", headers={"accept": "application/json"})
    door.check(response, None)  # GET runs queries only
