"""What every resolver reads from the invocation: the Door, who is calling, and the arguments' plain types."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.graphql_appsync.router import Router
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers.container import get_door, settings
from resolvers.identity import Caller, caller, door_client
from smartdoor.domain.errors import InvalidInput
from smartdoor.services.access import DoorClient
from smartdoor.services.context import Door


def new_router() -> Router:
    return Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated


def _event(router: Router) -> AppSyncResolverEvent:
    event = router.current_event
    if event is None:
        raise RuntimeError("a resolver ran outside an AppSync invocation")
    return event


def door() -> Door:
    return get_door()


def the_caller(router: Router) -> Caller:
    return caller(_event(router).raw_event.get("identity"), settings().owner_group)


def the_client(router: Router) -> DoorClient:
    return door_client(_event(router).raw_event.get("request"))


def optional_text(name: str, value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InvalidInput(name, f"{name} must be a string.")


def optional_int(name: str, value: object) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise InvalidInput(name, f"{name} must be a whole number.")
