"""The HMAC key from Secrets Manager (moto server): string or binary; an error that never shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from smartdoor.adapters.aws.errors import client_config
from smartdoor.adapters.aws.secret_key import read_hmac_key
from smartdoor.domain.errors import StorageUnavailable

from .conftest import Aws

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

pytestmark = pytest.mark.integration


@pytest.fixture
def secrets(aws: Aws) -> SecretsManagerClient:
    client: SecretsManagerClient = aws.session.client(
        "secretsmanager", endpoint_url=aws.endpoint, config=client_config()
    )
    return client


def test_the_key_is_the_secret_s_string_or_its_binary(secrets: SecretsManagerClient) -> None:
    secrets.create_secret(Name="door/text", SecretString="t" * 40)
    secrets.create_secret(Name="door/binary", SecretBinary=bytes(range(40)))
    assert read_hmac_key(secrets, "door/text") == b"t" * 40
    assert read_hmac_key(secrets, "door/binary") == bytes(range(40))


def test_a_short_or_missing_secret_is_refused_without_showing_its_value(
    secrets: SecretsManagerClient,
) -> None:
    secrets.create_secret(Name="door/short", SecretString="hunter2")
    with pytest.raises(StorageUnavailable) as short:
        read_hmac_key(secrets, "door/short")
    assert "hunter2" not in str(short.value)
    assert "door/short" in str(short.value)
    with pytest.raises(StorageUnavailable):
        read_hmac_key(secrets, "door/none")  # ResourceNotFoundException: a deployment fault
    with pytest.raises(ValueError, match="SMARTDOOR_HMAC_SECRET_ID"):
        read_hmac_key(secrets, "")
