"""The outbox dispatcher of a Lambda container: built once, on the first invocation, from the settings the
Door's holder reads once (smartdoor.edges.lambda_door.settings); each request claims under its own id.

The clients, SES sender and SNS sender are the container's; only the name in the claims changes per request
(``OutboxDispatcher.with_id``), so two invocations of one container never share a claim, and a lease one of
them left is the other's only once it ends.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from smartdoor.config import Settings
from smartdoor.edges.lambda_door import settings

if TYPE_CHECKING:
    from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher

_dispatcher: OutboxDispatcher | None = None


def get_dispatcher(request_id: str) -> OutboxDispatcher:
    """The container's dispatcher, claiming as ``request_id`` (the Lambda request id)."""
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = _build(settings())
    return _dispatcher.with_id(request_id)


def set_dispatcher(dispatcher: OutboxDispatcher | None) -> None:
    """Use this dispatcher (tests: one over the moto server); None builds the real one when next asked."""
    global _dispatcher
    _dispatcher = dispatcher


def _build(current: Settings) -> OutboxDispatcher:
    # Looked up at call time, as the Door's holder does: importing the handler builds nothing.
    bootstrap = importlib.import_module("smartdoor.bootstrap")
    build = cast(Callable[[Settings, str], "OutboxDispatcher"], bootstrap.build_outbox_dispatcher)
    return build(current, "container")
