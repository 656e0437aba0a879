"""A small stand-in for the API's side of the frame path, on 127.0.0.1: requestFrameUpload per the contract,
and an upload endpoint that records each multipart POST part by part, in order.

Each GraphQL answer and each upload status can be scripted; unscripted requests get a grant and a 204.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

EXPIRES_AT = "2099-01-01T00:00:00.000Z"
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Part:
    name: str
    content_type: str
    value: bytes


@dataclass
class FrameUploadServer:
    fields_as_text: bool = True  # AppSync returns AWSJSON as a JSON text; the local server may as an object
    graphql_script: list[dict[str, Any]] = field(default_factory=list)
    upload_script: list[int] = field(default_factory=list)
    graphql_requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    upload_attempts: list[list[Part]] = field(default_factory=list)
    uploads: list[list[Part]] = field(default_factory=list)  # the POSTs answered 204
    lock: threading.Lock = field(default_factory=threading.Lock)
    # A test may hold every GraphQL answer back until it lets them go (bounded), and hear the first arrive.
    hold: threading.Event = field(default_factory=threading.Event)
    asked: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def fields(self, key: str) -> dict[str, str]:
        return {
            "key": key,
            "Content-Type": "image/jpeg",
            "policy": "eyJjb25kaXRpb25zIjpbXX0=",
            "x-amz-signature": "0f" * 32,
        }

    def grant(self, number: int) -> dict[str, Any]:
        key = f"frames/door/1764590400000-{number:032x}.jpg"
        fields: Any = self.fields(key)
        return {
            "data": {
                "requestFrameUpload": {
                    "url": f"{self.url}/upload",
                    "fields": json.dumps(fields) if self.fields_as_text else fields,
                    "key": key,
                    "expiresAt": EXPIRES_AT,
                    "maxBytes": MAX_BYTES,
                }
            }
        }

    def answer_graphql(self, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        self.asked.set()
        assert self.hold.wait(30), "the test never let the answer go"
        with self.lock:
            self.graphql_requests.append((headers, body))
            if self.graphql_script:
                return self.graphql_script.pop(0)
            return self.grant(len(self.graphql_requests))

    def answer_upload(self, parts: list[Part]) -> int:
        with self.lock:
            self.upload_attempts.append(parts)
            status = self.upload_script.pop(0) if self.upload_script else 204
            if status == 204:
                self.uploads.append(parts)
            return status


def parse_form(content_type: str, body: bytes) -> list[Part]:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    parts = []
    for part in message.iter_parts():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(name, str)
        assert isinstance(payload, bytes)
        parts.append(Part(name, part.get_content_type(), payload))
    return parts


def handler_for(server: FrameUploadServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the test reads the server's records, not its log

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            if self.path == "/graphql":
                headers = {k.lower(): v for k, v in self.headers.items()}
                answer = json.dumps(server.answer_graphql(headers, json.loads(body))).encode()
                self._reply(200, answer, "application/json")
            elif self.path == "/upload":
                status = server.answer_upload(parse_form(self.headers["content-type"], body))
                self._reply(status, b"" if status == 204 else b"<Error/>", "application/xml")
            else:
                self._reply(404, b"", "text/plain")

        def _reply(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            if status != 204:
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
            self.end_headers()
            if status != 204:
                self.wfile.write(body)

    return Handler


@contextmanager
def running(server: FrameUploadServer, hold: bool = False) -> Iterator[FrameUploadServer]:
    if not hold:
        server.hold.set()
    http = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(server))
    server.url = f"http://127.0.0.1:{http.server_address[1]}"
    thread = threading.Thread(target=http.serve_forever, name="frame-upload-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        http.shutdown()
        http.server_close()
        thread.join(10)
