"""The pages on 127.0.0.1 as CloudFront serves them from their bucket: the same path table, only the files the
deployment uploads, config.json, and the headers policy's values on every answer (HSTS aside: it means nothing
over http). One server for the cloud build and the browser tier's hosted pages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from smartdoor.edges.page_paths import page_file
from smartdoor_cdk.page_settings import FRONTEND, NOT_DEPLOYED

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
}


def deployed(relative: str) -> bool:
    """Whether the pages' BucketDeployment uploads this file of frontend/ (page_settings.NOT_DEPLOYED)."""
    top = relative.split("/", 1)[0]
    return top not in {n.split("/", 1)[0] for n in NOT_DEPLOYED} and relative not in NOT_DEPLOYED


def pages_server(config: Mapping[str, Any], csp: str) -> ThreadingHTTPServer:
    """Not started: the caller runs ``serve_forever`` on a thread of its own and shuts it down."""
    body_of_config = json.dumps(config).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            relative = page_file(self.path.split("?", 1)[0].rstrip("/") or "/")
            target = (FRONTEND / relative).resolve()
            if relative == "config.json":
                self._send(200, body_of_config, TYPES[".json"])
            elif target.is_relative_to(FRONTEND) and target.is_file() and deployed(relative):
                self._send(200, target.read_bytes(), TYPES.get(target.suffix, "application/octet-stream"))
            else:
                self._send(403, b"AccessDenied", "text/plain")  # S3 behind OAC lists nothing: 403

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.send_header("content-security-policy", csp)
            self.send_header("x-frame-options", "DENY")
            self.send_header("x-content-type-options", "nosniff")
            self.send_header("referrer-policy", "no-referrer")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server
