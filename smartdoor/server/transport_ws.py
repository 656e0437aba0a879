"""graphql-transport-ws messages checked for shape before strawberry reads them.

strawberry indexes a message as the protocol says it is shaped: a list, a number or a payload of the
wrong type raised a TypeError out of the socket's handler (a traceback in the log), and a subscribe with a
numeric id or a list of variables ran anyway. Such a message is the client's mistake: close with 4400.
"""

from __future__ import annotations

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message

from smartdoor.server.context import RequestContext


def message_problem(message: object) -> str | None:
    """Why a decoded message is not one that graphql-transport-ws allows, or None when it is."""
    if not isinstance(message, dict):
        return "A message must be a JSON object."
    kind = message.get("type")
    if not isinstance(kind, str):
        return "A message needs a string type."
    if kind in ("subscribe", "complete") and not (isinstance(message.get("id"), str) and message["id"]):
        return f"A {kind} message needs a string id."
    if kind != "subscribe":
        return None
    payload = message.get("payload")
    if not isinstance(payload, dict):
        return "A subscribe message needs a payload object."
    if not isinstance(payload.get("query"), str):
        return "payload.query must be a string."
    for name in ("variables", "extensions"):
        if not isinstance(payload.get(name), dict | None):
            return f"payload.{name} must be an object or null."
    if not isinstance(payload.get("operationName"), str | None):
        return "payload.operationName must be a string or null."
    return None


class CheckedTransportWS(BaseGraphQLTransportWSHandler[RequestContext, None]):
    async def handle_message(self, message: Message) -> None:
        problem = message_problem(message)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)
