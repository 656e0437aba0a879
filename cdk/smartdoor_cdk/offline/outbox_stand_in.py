"""The outbox's sender for a template that has no outbox Lambda yet: what such a Lambda does on its schedule
(build_outbox_dispatcher from the function's SMARTDOOR_* environment, one pass over the due messages), run by
the cloud build in a worker with the resolvers Lambda's environment. A template with
``stream_handler.outbox.handler`` gets that function instead."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
from smartdoor.bootstrap import build_outbox_dispatcher
from smartdoor.config import Settings


@cache
def _dispatcher() -> OutboxDispatcher:
    return build_outbox_dispatcher(Settings.from_env(os.environ), f"cloud-build-outbox-{os.getpid()}")


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"sent": _dispatcher().run_once()}
