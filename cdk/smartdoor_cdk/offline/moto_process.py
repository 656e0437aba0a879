"""The cloud build's moto server, in a process of its own.

moto keeps its backends in module globals: two servers in one process share every table and bucket, and a
reset of one (a test's) empties the other. Its own process gives the cloud build AWS's isolation, and a
child that stops with it. moto checks a condition and writes in two steps where DynamoDB does both at once,
so its DynamoDB writes are serialised here, and the door's races are decided by its conditions, as on AWS.
When it listens it prints ``{"url", "pid"}`` as one JSON line on stdout; SIGTERM or SIGINT stops it.

    python -m smartdoor_cdk.offline.moto_process
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from typing import Any

DYNAMODB_WRITES = ("put_item", "get_item", "update_item", "delete_item", "transact_write_items")


def serialise_dynamodb() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()  # re-entrant: a transaction calls put_item and the rest
    for name in DYNAMODB_WRITES:
        original = getattr(DynamoDBBackend, name)

        def locked(*args: Any, _wrapped: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _wrapped(*args, **kwargs)

        setattr(DynamoDBBackend, name, locked)


def main() -> None:
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    serialise_dynamodb()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(json.dumps({"url": f"http://{host}:{port}", "pid": os.getpid()}), flush=True)
    stopping.wait()
    server.stop()


if __name__ == "__main__":
    main()
