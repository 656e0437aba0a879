"""strawberry's ASGI view, told who is asking: the owner's token on HTTP and on the websocket."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from smartdoor.bootstrap import LocalDoor
from smartdoor.domain import untrusted_json
from smartdoor.domain.errors import BadJson
from smartdoor.server.context import RequestContext, actor_for, client_id, is_owner_token
from smartdoor.server.graphiql_page import graphiql_page
from smartdoor.server.graphql_api import build_schema
from smartdoor.server.transport_ws import CheckedTransportWS
from smartdoor.services.authorization import Owner


class DoorGraphQL(GraphQL[RequestContext, None]):
    graphql_transport_ws_handler_class = CheckedTransportWS

    def __init__(self, app: LocalDoor, max_message_chars: int) -> None:
        super().__init__(
            build_schema(),
            # Only graphql-transport-ws: the legacy graphql-ws protocol had an auth-bypass advisory.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=4,
            connection_init_wait_timeout=timedelta(seconds=10),
            keep_alive=True,
            keep_alive_interval=15,
        )
        self.app = app
        self.max_message_chars = max_message_chars

    def parse_json(self, data: str | bytes) -> dict[str, Any]:
        # strawberry's own decoder catches only JSONDecodeError: invalid UTF-8, deep nesting and huge
        # integers escaped it as 500s. The body and the `variables` and `extensions` query parameters come
        # through here, and each of them must be an object (batches are off).
        try:
            return untrusted_json.loads_object(data)
        except BadJson as exc:
            raise HTTPException(400, f"The request's JSON is refused: {exc}.") from exc

    def decode_json(self, data: str | bytes) -> object:
        # Websocket messages: strawberry closes the socket with 4400 on a JSONDecodeError, and only on that.
        # Anyone may open the socket, so a message far larger than any operation is refused undecoded.
        if len(data) > self.max_message_chars:
            raise json.JSONDecodeError(f"a message is longer than {self.max_message_chars}", "", 0)
        try:
            return untrusted_json.loads(data)
        except BadJson as exc:
            raise json.JSONDecodeError(str(exc), "", 0) from exc

    async def render_graphql_ide(self, request: Request) -> Response:
        # strawberry's own page loads GraphiQL from a CDN; this one is served from the pinned local packages.
        return graphiql_page()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        # On a websocket the owner proves itself in connection_init (on_ws_connect), not in headers.
        authorization = request.headers.get("authorization") if isinstance(request, Request) else None
        return RequestContext(
            app=self.app,
            actor=actor_for(self.app, authorization),
            client=client_id(self.app, request),
            request=request,
            response=response,
        )

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        params: dict[str, Any] = (
            context.connection_params if isinstance(context.connection_params, dict) else {}
        )
        authorization = params.get("Authorization") or params.get("authorization")
        token = params.get("token")
        if isinstance(token, str) and is_owner_token(self.app, token):
            context.actor = Owner()
        elif isinstance(authorization, str):
            context.actor = actor_for(self.app, authorization)
        if not isinstance(context.actor, Owner):
            # The live console is the owner's alone; say so before any subscription starts.
            missing = "The owner's token is missing or wrong: send Authorization: Bearer <owner token>."
            raise ConnectionRejectionError({"message": missing})
        return None
