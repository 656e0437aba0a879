"""Domain errors become AppSync errors here, by type (never by message text), with the local server's codes.

A direct Lambda resolver's error reaches the client as ``errorType`` = the class name of the exception the
function raised and ``message`` = its text. So each code has an exception class named after it: FORBIDDEN,
NOT_FOUND, ... and the client reads the same code it reads from the local server's ``extensions.code``.
Anything unexpected is logged with its traceback and answered as INTERNAL, its text never shown.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import NoReturn

from aws_lambda_powertools.event_handler import AppSyncResolver

from smartdoor.domain.errors import DomainError
from smartdoor.error_codes import INTERNAL, INTERNAL_MESSAGE, error_code, public_message

log = logging.getLogger(__name__)


class ResolverError(Exception):
    """Base of the errors a resolver answers with; each subclass is named for its code."""

    code = INTERNAL


@cache
def error_type(code: str) -> type[ResolverError]:
    return type(code, (ResolverError,), {"code": code, "__module__": __name__})


def to_resolver_error(exc: DomainError) -> ResolverError:
    return error_type(error_code(exc))(public_message(exc))


def register(app: AppSyncResolver) -> None:
    """Install the mapping on the app: powertools looks handlers up along the exception's MRO."""

    app.exception_handler(DomainError)(_domain_error)
    app.exception_handler(Exception)(_unexpected)


def _domain_error(exc: DomainError) -> NoReturn:
    raise to_resolver_error(exc) from exc


def _unexpected(exc: Exception) -> NoReturn:
    if isinstance(exc, ResolverError):
        raise exc
    log.error("resolver failed", exc_info=exc)
    raise error_type(INTERNAL)(INTERNAL_MESSAGE) from exc
