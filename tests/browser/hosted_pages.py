"""The pages as CloudFront serves them, on 127.0.0.1: frontend/ with the CloudFront Function's page paths,
the Pages construct's config.json and security headers; and a recording stand-in for AppSync's HTTP endpoint.

The stand-in decodes the id token without checking its signature (moto signed it; checking it is AppSync's
job, not what these tests are about) and answers as AppSync's owners-group check would: the console's reads
with empty lists for a member of "owners", AppSync's own Unauthorized error for anyone else.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from smartdoor_cdk.offline.pages_server import pages_server
from smartdoor_cdk.page_settings import pages_csp

# What the console reads first: each root field answered empty, as a new door's would be.
EMPTY: dict[str, Any] = {"sightings": {"items": []}, "visitors": {"items": []}, "doorEvents": {"items": []}}
# What the stand-in answers the owner's issueDeviceToken (the real token's form: payload.signature).
DEVICE_TOKEN = "eyJjIjoicG9yY2giLCJ0IjoiMSJ9.c2lnbmF0dXJl"


def page_server(config: dict[str, Any]) -> ThreadingHTTPServer:
    """frontend/ and config.json on 127.0.0.1, each answer with the headers CloudFront adds (HSTS aside: it
    means nothing over http)."""
    csp = pages_csp(
        graphql_url=config["graphqlUrl"],
        realtime_url=config["realtimeUrl"],
        region=config["region"],
        user_pool_id=config["userPoolId"],
        cognito_override=config.get("cognitoEndpoint"),
    )
    return pages_server(config, csp)


def claims(jwt: str) -> dict[str, Any]:
    """A JWT's payload, unverified."""
    payload = jwt.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


@dataclass
class Recorded:
    authorization: str | None
    api_key: str | None
    body: dict[str, Any]


@dataclass
class AppSyncStandIn:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    sightings: list[dict[str, Any]] = field(default_factory=list)  # what the owner's reads list


def appsync_stand_in(owner_group: str = "owners") -> tuple[ThreadingHTTPServer, AppSyncStandIn]:
    record = AppSyncStandIn(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_OPTIONS(self) -> None:  # the browser's preflight: AppSync allows any origin
            self.send_response(200)
            self._cors()
            self.send_header("access-control-allow-methods", "POST, OPTIONS")
            self.send_header("access-control-allow-headers", "authorization, content-type, x-api-key")
            self.send_header("content-length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
            jwt = self.headers.get("authorization")
            record.requests.append(Recorded(jwt, self.headers.get("x-api-key"), body))
            groups = claims(jwt).get("cognito:groups", []) if jwt else []
            if owner_group in groups:
                data = {
                    **EMPTY,
                    "sightings": {"items": record.sightings},
                    "approveVisitor": {"id": "s"},
                    "issueDeviceToken": DEVICE_TOKEN,
                }
                answer: dict[str, Any] = {"data": data}
            else:
                answer = {
                    "data": None,
                    "errors": [
                        {"errorType": "Unauthorized", "message": "Not Authorized to access this field"}
                    ],
                }
            text = json.dumps(answer).encode()
            self.send_response(200)
            self._cors()
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def _cors(self) -> None:
            self.send_header("access-control-allow-origin", self.headers.get("origin", "*"))

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.url = f"http://127.0.0.1:{server.server_address[1]}/graphql"
    return server, record


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[str]:
    """Run a server on a thread for the block; its base URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
