"""The pages' CSP on AWS: photos come from S3's presigned links, or from the one offline S3 it is told of."""

from __future__ import annotations

import pytest

from smartdoor_cdk.page_settings import pages_csp

pytestmark = pytest.mark.unit


def image_sources(csp: str) -> list[str]:
    [directive] = [d for d in csp.split("; ") if d.startswith("img-src ")]
    return directive.split()[1:]


def csp(photos_override: str | None = None) -> str:
    return pages_csp(
        graphql_url="https://api.example/graphql",
        realtime_url="wss://api.example/graphql/realtime",
        region="eu-west-1",
        user_pool_id="eu-west-1_Pool",
        cognito_override=None,
        photos_override=photos_override,
    )


def test_photos_come_from_s3_by_default() -> None:
    assert image_sources(csp()) == [
        "'self'",
        "https://*.s3.amazonaws.com",
        "https://*.s3.eu-west-1.amazonaws.com",
    ]


def test_an_offline_s3_replaces_the_s3_origins() -> None:
    assert image_sources(csp("http://127.0.0.1:5123")) == ["'self'", "http://127.0.0.1:5123"]
