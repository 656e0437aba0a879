"""The HMAC key (passcode hashes, email links) from Secrets Manager: one GetSecretValue per built door.

A Lambda builds its door once per container, so the key is read once per container, never from an
environment variable in clear. The value never appears in an error or a log line: only the secret's id does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartdoor.adapters.aws.errors import aws_errors
from smartdoor.domain.errors import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

# Shorter keys would make the HMAC guessable; the local door's own key is longer than this.
MIN_KEY_BYTES = 32


def read_hmac_key(client: SecretsManagerClient, secret_id: str) -> bytes:
    """The key's bytes: the secret's string (UTF-8) or its binary value."""
    if not secret_id:
        raise ValueError("SMARTDOOR_HMAC_SECRET_ID names no secret: the door on AWS needs its HMAC key")
    with aws_errors("read the door's HMAC key"):
        response = client.get_secret_value(SecretId=secret_id)
    key = (
        response["SecretString"].encode() if "SecretString" in response else response.get("SecretBinary", b"")
    )
    if len(key) < MIN_KEY_BYTES:
        # Not the value: only that it is too short, so a misconfigured secret says what is wrong.
        raise StorageUnavailable(
            f"the secret {secret_id} holds {len(key)} bytes; the HMAC key needs at least {MIN_KEY_BYTES}"
        )
    return key
