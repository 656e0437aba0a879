"""The cloud tier: the AWS build on one machine. The local AppSync (the Amplify simulator in node, wired from
the synthesised template) calls one long-lived resolvers worker, whose Door talks to a moto server on
127.0.0.1. One simulator and one worker per module; everything is stopped when the module ends.

The simulator enforces each field's auth *mode* but verifies no credential: a Cognito JWT is only decoded
(these tests mint unsigned ones), and any SigV4 signature passes as IAM. What these tests show is the
protocol and the wiring, not AWS's credential checks.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest

from smartdoor.adapters.memory.offline_aws import stand_up
from smartdoor.bootstrap import build_aws
from smartdoor.config import Settings
from smartdoor.services.context import Door
from smartdoor_cdk.local_appsync import LocalAppSync, installed, wiring_from_template
from smartdoor_cdk.offline.cloud_build import CACHE
from smartdoor_cdk.offline.synth import synthesised
from tests.integration.moto_fixtures import REGION, Aws, moto_server
from tests.needs import missing

__all__ = ["moto_server"]  # the integration tier's session server, shared

SECRET = "k" * 48
POOL = "us-east-1_SmartDoor"
SETTINGS = Settings(
    photo_bucket="door-photos",
    rekognition_collection="door-faces",
    hmac_secret_id="smartdoor/hmac",
    mail_from="door@example.com",
    owner_email="owner@example.com",
    public_url="https://door.example",
)
CODE = "481516"
T = TypeVar("T")


def worker_env(endpoint: str) -> dict[str, str]:
    """What the resolvers Lambda's environment holds (the CDK app's SMARTDOOR_* variables), pointed at the
    moto server; nothing inherited, so a developer's own AWS profile cannot leak in."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }
    for name, value in (
        ("PHOTO_BUCKET", SETTINGS.photo_bucket),
        ("REKOGNITION_COLLECTION", SETTINGS.rekognition_collection),
        ("HMAC_SECRET_ID", SETTINGS.hmac_secret_id),
        ("MAIL_FROM", SETTINGS.mail_from),
        ("OWNER_EMAIL", SETTINGS.owner_email),
        ("PUBLIC_URL", SETTINGS.public_url),
    ):
        env[f"SMARTDOOR_{name}"] = value
    return env


def jwt(groups: list[str], sub: str = "owner-1") -> str:
    """A Cognito-shaped ID token, unsigned: the simulator decodes it and checks no signature."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {
        "sub": sub,
        "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}",
        "token_use": "id",
        "cognito:username": sub,
        "cognito:groups": groups,
        "aud": "smartdoor-console",
        "iat": now,
        "exp": now + 3600,
    }
    return f"{part({'alg': 'RS256', 'kid': 'local'})}.{part(claims)}.c2lnbmF0dXJl"


@dataclass
class Cloud:
    appsync: LocalAppSync
    door: Door  # the same tables the worker's Door uses, for seeding and checking
    aws: Aws

    def post(self, query: str, variables: dict[str, Any] | None = None, **headers: str) -> httpx.Response:
        return httpx.post(
            self.appsync.graphql_url,
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=30,
        )

    def as_api_key(self, query: str, variables: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.post(query, variables, **{"x-api-key": self.appsync.api_key, **headers}).json()

    def as_user(self, groups: list[str], query: str, variables: dict[str, Any] | None = None) -> Any:
        return self.post(query, variables, Authorization=jwt(groups)).json()


def run(coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    """The CDK app's template (stream-processor mode), synthesised once and cached by its inputs' hash
    under .cloud/, as the cloud build uses it: what is tested is what deploys."""
    path = synthesised({"analysis": "stream-processor", "region": REGION}, CACHE)
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


@pytest.fixture(scope="module")
def cloud(moto_server: Aws, template: dict[str, Any]) -> Iterator[Cloud]:
    if not installed():
        missing("the local AppSync is not installed: run scripts/setup dev with npm available")
    reset = httpx.post(f"{moto_server.endpoint}/moto-api/reset", timeout=10)
    assert reset.json() == {"status": "ok"}
    clients, _fake = stand_up(moto_server.client, SETTINGS, SECRET)
    door = build_aws(SETTINGS, clients, codes=lambda: CODE)
    wiring = wiring_from_template(template)
    with LocalAppSync(wiring, worker_env(moto_server.endpoint), preload=("tests.cloud.faults",)) as appsync:
        yield Cloud(appsync, door, moto_server)
