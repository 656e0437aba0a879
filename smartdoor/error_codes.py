"""The stable error codes clients see, by domain error type (never by message text): one table for both
edges, so the local server and the AppSync resolvers answer the same mistake with the same code."""

from __future__ import annotations

from smartdoor.domain import errors
from smartdoor.domain.links import LinkExpired, LinkInvalid, LinkUsed

# Most specific first: the first matching type names the code.
CODES: tuple[tuple[type[errors.DomainError], str], ...] = (
    (LinkExpired, "LINK_EXPIRED"),
    (LinkUsed, "LINK_USED"),
    (LinkInvalid, "LINK_INVALID"),
    (errors.InvalidInput, "BAD_USER_INPUT"),
    (errors.NotFound, "NOT_FOUND"),
    (errors.NotAllowed, "FORBIDDEN"),
    (errors.Conflict, "CONFLICT"),
    (errors.RateLimited, "RATE_LIMITED"),
    (errors.StorageUnavailable, "UNAVAILABLE"),
    (errors.DomainError, "BAD_REQUEST"),
)
INTERNAL = "INTERNAL"
INTERNAL_MESSAGE = "Internal error."


def error_code(exc: errors.DomainError) -> str:
    return next(code for kind, code in CODES if isinstance(exc, kind))


def public_message(exc: errors.DomainError) -> str:
    # A storage fault's text names tables and providers: the client only needs to know to retry.
    return "The service is busy; try again shortly." if error_code(exc) == "UNAVAILABLE" else str(exc)
