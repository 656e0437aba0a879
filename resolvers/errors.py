"""Domain errors become AppSync errors here, by type (never by message text), with the local server's codes.

The function answers a refusal as data, an error envelope (``{"smartdoorError": {type, message, info}}``),
rather than by raising: a raised error reaches the response mapping template as ``$ctx.error`` with only a
type and a message, while the local server also tells the client which field was wrong (BAD_USER_INPUT) and
when to try again (RATE_LIMITED). The RESPONSE template (cdk/smartdoor_cdk/mapping_templates.py) turns the
envelope into ``$util.error(message, type, null, info)``, so the client reads ``errorType`` = the code and
``errorInfo`` = {field, retryAfter}, as it reads ``extensions`` locally.
Anything unexpected is logged with its traceback and answered as INTERNAL, its text and detail never shown.
"""

from __future__ import annotations

import logging
from typing import Any

from aws_lambda_powertools.event_handler import AppSyncResolver

from smartdoor.domain.errors import DomainError, InvalidInput, RateLimited
from smartdoor.error_codes import INTERNAL, INTERNAL_MESSAGE, error_code, public_message

log = logging.getLogger(__name__)

# The key the RESPONSE template looks for; no schema type has a field of this name, so data never carries it.
ENVELOPE = "smartdoorError"


def envelope(code: str, message: str, info: dict[str, Any] | None = None) -> dict[str, Any]:
    return {ENVELOPE: {"type": code, "message": message, "info": info or {}}}


def to_envelope(exc: DomainError) -> dict[str, Any]:
    info: dict[str, Any] = {}
    if isinstance(exc, InvalidInput):
        info["field"] = exc.field
    if isinstance(exc, RateLimited):
        info["retryAfter"] = exc.retry_after
    return envelope(error_code(exc), public_message(exc), info)


def register(app: AppSyncResolver) -> None:
    """Install the mapping on the app: powertools looks handlers up along the exception's MRO and answers
    with what the handler returns."""

    app.exception_handler(DomainError)(to_envelope)
    app.exception_handler(Exception)(_unexpected)


def _unexpected(exc: Exception) -> dict[str, Any]:
    log.error("resolver failed", exc_info=exc)
    return envelope(INTERNAL, INTERNAL_MESSAGE)
