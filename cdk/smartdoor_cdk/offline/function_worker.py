"""One Lambda function as a long-lived local process: its handler imported once (a warm container), one
invocation at a time (as one container runs them), over HTTP on 127.0.0.1.

POST / with ``{"event": ..., "context": {"function_name", "invoked_function_arn", "aws_request_id"}}``
answers ``{"result": ...}``, or ``{"errorType", "errorMessage"}`` for a function error, as Lambda reports
one. When it listens it prints ``{"url", "pid"}`` as one JSON line on stdout. The environment is the
function's own (the caller sets it).

    python -m smartdoor_cdk.offline.function_worker --handler stream_handler.handler
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

log = logging.getLogger("smartdoor.function_worker")
TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class Context:
    """The parts of Lambda's context object a handler reads."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512

    def get_remaining_time_in_millis(self) -> int:
        return TIMEOUT_MS


def load_handler(name: str) -> Any:
    """``package.module.function`` as Lambda's handler setting names it."""
    module, _, function = name.rpartition(".")
    return getattr(importlib.import_module(module), function)


class _Invocations(BaseHTTPRequestHandler):
    handler: Any = None
    lock = threading.Lock()

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["content-length"])))
        context = Context(**request.get("context", {}))
        with type(self).lock:
            try:
                answer = {"result": type(self).handler(request["event"], context)}
            except Exception as exc:  # a function error, as the Lambda runtime reports it
                log.exception("invocation failed")
                answer = {"errorType": type(exc).__name__, "errorMessage": str(exc)}
        body = json.dumps(answer, default=str).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--handler", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("SMARTDOOR_LOG_LEVEL", "INFO"), stream=sys.stderr)
    _Invocations.handler = staticmethod(load_handler(args.handler))
    server = HTTPServer(("127.0.0.1", 0), _Invocations)
    # SIGTERM ends the process as Ctrl-C would: the socket closes, nothing is left listening.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    host, port = server.server_address[:2]
    print(json.dumps({"url": f"http://{host!s}:{port}/", "pid": os.getpid()}), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
