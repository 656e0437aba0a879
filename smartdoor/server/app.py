"""The local server: one Starlette app serving /graphql, the pages and the local interfaces."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute

from smartdoor.bootstrap import LocalDoor

if TYPE_CHECKING:
    from smartdoor.vision.service import Vision
from smartdoor.server.graphiql_page import graphiql_routes
from smartdoor.server.graphql_view import DoorGraphQL
from smartdoor.server.limits import BodyLimit
from smartdoor.server.routes import routes

GRAPHQL_BODY_LIMIT = 64 * 1024  # far above any real operation; a huge name is refused before parsing
FACE_EVENT_BODY_LIMIT = 12 * 1024 * 1024  # a record plus a base64 frame
FRAME_BODY_LIMIT = 8 * 1024 * 1024  # a camera JPEG; a 4096x4096 one is far smaller


def create_app(door: LocalDoor, vision: Vision | None = None) -> Starlette:
    graphql = DoorGraphQL(door, max_message_chars=GRAPHQL_BODY_LIMIT)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        door.start()
        if vision is not None:
            vision.start()
        following = None
        if door.follower is not None:
            door.follower.begin()
            following = asyncio.create_task(door.follower.run())
        try:
            yield
        finally:
            if following is not None and door.follower is not None:
                door.follower.stop()
                await asyncio.wait_for(following, timeout=10)
            if vision is not None:
                vision.stop()
            door.close()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *routes(),
            *graphiql_routes(),
        ],
        middleware=[
            Middleware(
                BodyLimit,
                default=GRAPHQL_BODY_LIMIT,
                per_path={"/face-events": FACE_EVENT_BODY_LIMIT, "/frames": FRAME_BODY_LIMIT},
            )
        ],
        lifespan=lifespan,
    )
    app.state.door = door
    app.state.vision = vision
    return app
