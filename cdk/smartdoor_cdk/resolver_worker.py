"""The resolvers Lambda as one long-lived local process, for the local AppSync's Lambda data source.

It imports ``resolvers.handler`` once (as a warm Lambda container has) and answers invocations one at a time
(as one container does) over HTTP on 127.0.0.1: POST / with the request mapping template's payload answers
``{"result": ...}``, or for a function failure ``{"errorType", "errorMessage"}`` (what Lambda reports to
AppSync). GET /stats answers ``{"pid", "invocations"}``. When it listens it prints ``{"url", "pid"}`` as one
JSON line on stdout.

    python -m smartdoor_cdk.resolver_worker [--preload MODULE ...]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

log = logging.getLogger("smartdoor.resolver_worker")


class _Invocations(BaseHTTPRequestHandler):
    handler: Any = None
    count = 0

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers["content-length"])))
        try:
            answer = {"result": type(self).handler(payload, None)}
        except Exception as exc:  # a function failure, as the Lambda runtime reports it
            log.exception("invocation failed")
            answer = {"errorType": type(exc).__name__, "errorMessage": str(exc)}
        type(self).count += 1
        self._send(answer)

    def do_GET(self) -> None:
        self._send({"pid": os.getpid(), "invocations": type(self).count})

    def _send(self, answer: dict[str, Any]) -> None:
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per invocation otherwise


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preload", action="append", default=[])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    for module in args.preload:
        importlib.import_module(module)
    from resolvers.app import handler  # imported once: the container's cold start

    _Invocations.handler = staticmethod(handler)
    server = HTTPServer(("127.0.0.1", 0), _Invocations)
    host, port = server.server_address[:2]
    print(json.dumps({"url": f"http://{host!s}:{port}/", "pid": os.getpid()}), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
