"""Domain errors become GraphQL errors here, at the edge, by type (never by message text)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from graphql import GraphQLError

from smartdoor.domain import errors
from smartdoor.error_codes import INTERNAL, INTERNAL_MESSAGE, error_code, public_message

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def to_graphql_error(exc: errors.DomainError) -> GraphQLError:
    code = error_code(exc)
    extensions: dict[str, Any] = {"code": code}
    if isinstance(exc, errors.InvalidInput):
        extensions["field"] = exc.field
    if isinstance(exc, errors.RateLimited):
        extensions["retryAfter"] = exc.retry_after
    message = public_message(exc)
    if code == "FORBIDDEN":
        # Locally the owner signs in with a header; say which, so a GraphiQL or curl user can fix it.
        message += (
            " Send the header Authorization: Bearer <owner token> (the data folder's owner-token file)."
        )
    return GraphQLError(message, extensions=extensions, original_error=None)


def domain_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Wrap a resolver so domain errors reach the client as clear GraphQL errors, and anything unexpected
    as a plain "internal error" (logged here with its traceback; its text never reaches the client)."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except errors.DomainError as exc:
            raise to_graphql_error(exc) from exc
        except Exception as exc:
            log.exception("resolver %s failed", fn.__name__)
            raise GraphQLError(INTERNAL_MESSAGE, extensions={"code": INTERNAL}) from exc

    return wrapper
