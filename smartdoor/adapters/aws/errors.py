"""botocore errors become domain errors here, by error code (never by message text), for every AWS adapter.

Retries happen before translation, inside botocore: every client the bootstrap hands to an AWS adapter is
built with ``client_config()``, botocore's *standard* retry mode (exponential backoff with jitter, a retry
quota; throttling and transient errors retried). Whatever error is left after those tries reaches
``aws_errors``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from smartdoor.domain.errors import Conflict, DomainError, InvalidInput, NotFound, StorageUnavailable

# Standard mode counts the first try: 3 means two retries, each after a backoff of up to 2**n seconds.
MAX_ATTEMPTS = 3

# The throttling codes that botocore's standard mode itself treats as throttling (botocore.retries.standard),
# plus the service-specific ones our services answer with (S3 SlowDown, SESv2 TooManyRequestsException,
# Kinesis Video ClientLimitExceededException).
THROTTLING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        "ClientLimitExceededException",
    }
)
# Retryable without being throttling: a transaction that met another one on the same item, a busy service.
TRANSIENT = frozenset(
    {
        "TransactionConflict",
        "TransactionConflictException",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
CONDITION_FAILED = frozenset({"ConditionalCheckFailedException", "ConditionalCheckFailed"})
# Only a missing *item* is the domain's NotFound. A missing table, bucket or collection
# (ResourceNotFoundException, NoSuchBucket) is a deployment fault: it falls through to StorageUnavailable.
NOT_FOUND = frozenset({"NoSuchKey"})
INVALID = frozenset(
    {"ValidationException", "InvalidParameter", "InvalidParameterValue", "InvalidParameterException"}
)


def client_config(signature_version: str | None = None) -> Config:
    """The botocore Config for every client an AWS adapter gets: standard retries and bounded timeouts.

    The S3 client takes ``signature_version="s3v4"`` so that its presigned URLs are SigV4.
    """
    return Config(
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        connect_timeout=5,
        read_timeout=10,
        signature_version=signature_version,
    )


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _cancellation_codes(exc: ClientError) -> frozenset[str]:
    """Why a TransactWriteItems was cancelled: one code per item, "None" for the items that were fine."""
    reasons = exc.response.get("CancellationReasons", [])
    return frozenset(str(r.get("Code", "")) for r in reasons) - {"None", ""}


def translate(
    exc: ClientError | BotoCoreError,
    action: str,
    condition_failed: DomainError | None = None,
    invalid_field: str = "request",
) -> DomainError:
    """The domain error for a botocore error. ``condition_failed`` is what a failed condition means to the
    caller (a passcode collision, a sighting already decided); without one it is a Conflict."""
    if isinstance(exc, BotoCoreError):
        # No answer at all: connection refused or reset, timeouts, no credentials. Retry later.
        return StorageUnavailable(f"could not {action}: {type(exc).__name__}")
    code = error_code(exc)
    if code == "TransactionCanceledException":
        reasons = _cancellation_codes(exc)
        if reasons and reasons <= CONDITION_FAILED:
            return condition_failed or Conflict(f"could not {action}: a condition no longer holds")
        # A conflict with another transaction, throttling, or capacity: all worth another try.
        return StorageUnavailable(f"could not {action}: transaction cancelled ({', '.join(sorted(reasons))})")
    if code in CONDITION_FAILED:
        return condition_failed or Conflict(f"could not {action}: a condition no longer holds")
    if code in THROTTLING:
        return StorageUnavailable(f"could not {action}: throttled ({code})")
    if code in TRANSIENT or _status(exc) >= 500:
        return StorageUnavailable(f"could not {action}: the service failed ({code or _status(exc)})")
    if code in NOT_FOUND:
        return NotFound(f"could not {action}: not found ({code})")
    if code in INVALID:
        return InvalidInput(invalid_field, f"could not {action}: the service refused the request ({code})")
    # Access denied, a sandboxed SES recipient, a missing identity: configuration the operator must fix.
    # The core can only report it and retry later, as for an outage.
    return StorageUnavailable(f"could not {action}: {code or 'unknown error'}")


@contextmanager
def aws_errors(
    action: str,
    condition_failed: DomainError | None = None,
    invalid_field: str = "request",
) -> Iterator[None]:
    """Run botocore calls; their errors leave as domain errors (``raise … from`` keeps the original)."""
    try:
        yield
    except ParamValidationError:
        raise  # our own bug (a request that breaks the service model), not the provider's failure
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, action, condition_failed, invalid_field) from exc
