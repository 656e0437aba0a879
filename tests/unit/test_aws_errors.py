"""botocore errors become domain errors by their code alone; the message text never decides."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)

from smartdoor.adapters.aws.errors import MAX_ATTEMPTS, aws_errors, client_config, translate
from smartdoor.domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PasscodeCollision,
    StorageUnavailable,
)

pytestmark = pytest.mark.unit


def client_error(code: str, status: int = 400, message: str = "", **extra: object) -> ClientError:
    response: dict[str, object] = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
        **extra,
    }
    return ClientError(response, "SomeOperation")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "status", "expected", "says"),
    [
        ("ThrottlingException", 400, StorageUnavailable, "throttled"),
        ("ProvisionedThroughputExceededException", 400, StorageUnavailable, "throttled"),
        ("RequestLimitExceeded", 400, StorageUnavailable, "throttled"),
        ("Throttling", 400, StorageUnavailable, "throttled"),  # SNS
        ("TooManyRequestsException", 429, StorageUnavailable, "throttled"),  # SESv2
        ("SlowDown", 503, StorageUnavailable, "throttled"),  # S3
        ("InternalServerError", 500, StorageUnavailable, "the service failed"),
        ("ServiceUnavailable", 503, StorageUnavailable, "the service failed"),
        ("SomethingNew", 502, StorageUnavailable, "the service failed"),  # any 5xx
        ("TransactionConflictException", 400, StorageUnavailable, "the service failed"),
        # A missing table or bucket is a deployment fault, not a missing item.
        ("ResourceNotFoundException", 400, StorageUnavailable, "ResourceNotFoundException"),
        ("NoSuchBucket", 404, StorageUnavailable, "NoSuchBucket"),
        ("AccessDeniedException", 400, StorageUnavailable, "AccessDeniedException"),
        ("MessageRejected", 400, StorageUnavailable, "MessageRejected"),  # SES: unverified sender
        ("NoSuchKey", 404, NotFound, "not found"),
        ("ValidationException", 400, InvalidInput, "the service refused"),
        ("InvalidParameter", 400, InvalidInput, "the service refused"),  # SNS: a number it will not text
        ("ConditionalCheckFailedException", 400, Conflict, "a condition no longer holds"),
    ],
)
def test_codes_map_to_domain_errors(code: str, status: int, expected: type[DomainError], says: str) -> None:
    error = translate(client_error(code, status), "do it")
    assert type(error) is expected
    assert str(error).startswith(f"could not do it: {says}")


def test_the_message_text_never_decides() -> None:
    misleading = client_error("ValidationException", message="Throttling: rate exceeded, SlowDown")
    assert type(translate(misleading, "do it")) is InvalidInput
    quiet = client_error("ThrottlingException", message="Item not found, condition failed")
    assert type(translate(quiet, "do it")) is StorageUnavailable


def test_a_failed_condition_means_what_the_caller_says() -> None:
    collision = PasscodeCollision("a live passcode has this code")
    assert translate(client_error("ConditionalCheckFailedException"), "add", collision) is collision


def test_a_cancelled_transaction_is_a_condition_only_when_every_reason_is_one() -> None:
    def cancelled(*codes: str) -> ClientError:
        reasons = [{"Code": c} for c in codes]
        return client_error("TransactionCanceledException", CancellationReasons=reasons)

    conflict = Conflict("already decided")
    assert translate(cancelled("None", "ConditionalCheckFailed", "None"), "register", conflict) is conflict
    for codes in [("None", "TransactionConflict"), ("ConditionalCheckFailed", "ThrottlingError"), ()]:
        error = translate(cancelled(*codes), "register", conflict)
        assert type(error) is StorageUnavailable, codes


@pytest.mark.parametrize(
    "exc",
    [
        EndpointConnectionError(endpoint_url="https://dynamodb.eu-west-1.amazonaws.com"),
        ConnectTimeoutError(endpoint_url="https://s3.amazonaws.com"),
        ReadTimeoutError(endpoint_url="https://sns.amazonaws.com"),
        NoCredentialsError(),
    ],
)
def test_no_answer_is_storage_unavailable(exc: Exception) -> None:
    with pytest.raises(StorageUnavailable, match=type(exc).__name__) as raised, aws_errors("send"):
        raise exc
    assert raised.value.__cause__ is exc


def test_a_request_that_breaks_the_service_model_is_our_bug_and_stays_one() -> None:
    with pytest.raises(ParamValidationError), aws_errors("send"):
        raise ParamValidationError(report="Missing required parameter")


def test_clients_retry_in_standard_mode_with_bounded_timeouts() -> None:
    config: Any = client_config()  # botocore's stubs do not declare Config's options as attributes
    assert config.retries == {"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}
    assert (config.connect_timeout, config.read_timeout, config.signature_version) == (5, 10, None)
    s3: Any = client_config(signature_version="s3v4")
    assert s3.signature_version == "s3v4"
