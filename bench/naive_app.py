"""The baseline for bench/otp.py: the same local app, but strawberry WITHOUT the parse and validation caches.

Everything else is ours: the same Query/Mutation/Subscription classes, the same DoorGraphQL view, the same
Starlette app (routes, body limit, lifespan), the same limiter and error-masking extensions. Only the schema
the view executes is swapped, so the comparison isolates the two caches.

Run it like `smartdoor serve`:
    python bench/naive_app.py --data-dir DIR [--host 127.0.0.1] [--port 0]
or as a uvicorn factory (the data folder comes from SMARTDOOR_DATA_DIR, like the server):
    SMARTDOOR_DATA_DIR=DIR python -m uvicorn bench.naive_app:create --factory --port 8001
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import strawberry
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig

from smartdoor.bootstrap import LocalDoor, build_local
from smartdoor.config import Settings, load_settings
from smartdoor.server import graphql_types as gql
from smartdoor.server.app import create_app
from smartdoor.server.graphql_api import Mutation, Query, Subscription
from smartdoor.server.graphql_view import DoorGraphQL


def naive_schema() -> strawberry.Schema:
    """build_schema() minus ParserCache and ValidationCache: every request is parsed and validated again."""
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=8),
        lambda: MaxTokensLimiter(max_token_count=2000),
        lambda: MaxAliasesLimiter(max_alias_count=15),
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=gql.AWS_SCALARS),
        extensions=extensions,
    )


def naive_app(door: LocalDoor) -> Starlette:
    app = create_app(door)
    routes = [r for r in app.routes if isinstance(r, Route | WebSocketRoute)]
    views = {id(r.endpoint): r.endpoint for r in routes if isinstance(r.endpoint, DoorGraphQL)}
    if not views:
        raise RuntimeError("create_app() has no DoorGraphQL route any more: update bench/naive_app.py")
    schema = naive_schema()
    for view in views.values():
        view.schema = schema
    return app


def create() -> Starlette:
    """uvicorn --factory entry point."""
    return naive_app(build_local(load_settings(os.environ)))


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description="The door's server without strawberry's caches (baseline).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    settings: Settings = replace(load_settings(os.environ), host=args.host, data_dir=args.data_dir)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Same start-up as `smartdoor serve`: bind first, print a banner with the real URL, run uvicorn on it.
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, args.port))
    settings = replace(settings, port=sock.getsockname()[1])
    door = build_local(settings)
    print(
        f"\nNaive Smart Door (no parse/validation caches).\n  GraphQL:        {settings.base_url}/graphql\n",
        flush=True,
    )
    config = uvicorn.Config(
        naive_app(door), log_level=settings.log_level.lower(), access_log=False, proxy_headers=False
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
