"""A moto server on 127.0.0.1 for the integration tier: one per test session, reset before every test.

Server mode, not moto's in-process mock: the adapters talk real HTTP through botocore (retries, signing,
serialisation), as they will to AWS, and presigned URLs can be fetched.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import httpx
import pytest
from botocore.config import Config
from moto.dynamodb.models import DynamoDBBackend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from smartdoor.adapters.aws.errors import client_config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient

REGION = "us-east-1"


class Aws:
    """Clients for the moto server (fake credentials, the adapters' own config) and a look at its backends.

    One per session: building a botocore client loads its service model (about half a second here), and a
    client holds no state that a moto reset leaves stale.
    """

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        self._clients: dict[str, Any] = {}

    def _client(self, service: str, config: Config) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service,
                endpoint_url=self.endpoint,
                config=config,  # type: ignore[call-overload]
            )
        return self._clients[service]

    def client(self, service: str) -> Any:
        """A client of any service on the server (S3 signs with SigV4, as presigned links need)."""
        if service == "s3":
            return self.s3()
        return self._client(service, client_config())

    def s3(self) -> S3Client:
        client: S3Client = self._client("s3", client_config(signature_version="s3v4"))
        return client

    def sesv2(self) -> SESV2Client:
        client: SESV2Client = self._client("sesv2", client_config())
        return client

    def sns(self) -> SNSClient:
        client: SNSClient = self._client("sns", client_config())
        return client

    def dynamodb(self) -> DynamoDBClient:
        client: DynamoDBClient = self._client("dynamodb", client_config())
        return client

    def backend(self, service: str) -> dict[str, list[dict[str, Any]]]:
        """What moto holds for a service (e.g. ses: RawMessage, sns: SMS), from /moto-api/data.json."""
        response = httpx.get(f"{self.endpoint}/moto-api/data.json", timeout=10)
        response.raise_for_status()
        data: dict[str, dict[str, list[dict[str, Any]]]] = response.json()
        return data.get(service, {})

    def get(self, url: str) -> tuple[int, bytes, str]:
        """GET a URL (a presigned link) as a browser would: status, body, content type."""
        assert url.startswith(self.endpoint + "/")  # only ever the local moto server
        response = httpx.get(url, timeout=10)
        return response.status_code, response.content, response.headers.get("Content-Type", "")


# DynamoDB runs each write (and each transaction) serializably on the items it touches; moto's backend does
# not: its server handles requests on many threads, a conditional write checks then writes in Python, and a
# cancelled transaction restores a copy of the whole table taken before it began, wiping writes that other
# threads made meanwhile. One lock around moto's item operations gives back DynamoDB's isolation, so the race
# tests race the adapters' conditions, not moto's. (Re-entrant: a transaction calls put_item and the rest.)
_DYNAMODB_WRITES = ("put_item", "get_item", "update_item", "delete_item", "transact_write_items")


def _serialise_dynamodb(env: pytest.MonkeyPatch) -> None:
    lock = threading.RLock()
    for name in _DYNAMODB_WRITES:
        original = getattr(DynamoDBBackend, name)

        def locked(*args: Any, _wrapped: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _wrapped(*args, **kwargs)

        env.setattr(DynamoDBBackend, name, locked)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[Aws]:
    # The AWS variables must not reach the clients: a developer's own profile or endpoint would win.
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE"):
            env.delenv(name, raising=False)
        _serialise_dynamodb(env)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        yield Aws(f"http://{host}:{port}")
        server.stop()


@pytest.fixture
def aws(moto_server: Aws) -> Aws:
    """The session's moto server, with every backend reset: each test starts with no bucket, no table."""
    reset = httpx.post(f"{moto_server.endpoint}/moto-api/reset", timeout=10)
    assert reset.json() == {"status": "ok"}
    return moto_server
