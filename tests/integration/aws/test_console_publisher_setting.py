"""SMARTDOOR_APPSYNC_ENDPOINT picks the console's publisher in build_aws: AppSync's publishSighting, signed
with the clients' session's credentials for their region, or (unset) the publisher that only logs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from smartdoor.adapters.aws.appsync_publisher import AppSyncPublisher
from smartdoor.adapters.aws.errors import client_config
from smartdoor.adapters.aws.log_publisher import LogOnlyPublisher
from smartdoor.bootstrap import AwsClients, build_aws
from smartdoor.config import Settings

from .conftest import Aws

pytestmark = pytest.mark.integration

SECRET = "smartdoor/hmac-key"
SETTINGS = Settings(photo_bucket="door-photos", hmac_secret_id=SECRET)


def _unused(endpoint: str) -> Any:
    raise AssertionError(f"no frame is fetched from Kinesis Video here ({endpoint})")


def clients(aws: Aws) -> AwsClients:
    secrets = aws.session.client("secretsmanager", endpoint_url=aws.endpoint, config=client_config())
    secrets.create_secret(Name=SECRET, SecretString="k" * 48)
    rekognition = aws.session.client("rekognition", endpoint_url=aws.endpoint, config=client_config())
    kinesisvideo = aws.session.client("kinesisvideo", endpoint_url=aws.endpoint, config=client_config())
    return AwsClients(
        dynamodb=aws.dynamodb(),
        s3=aws.s3(),
        sesv2=aws.sesv2(),
        sns=aws.sns(),
        rekognition=rekognition,
        kinesisvideo=kinesisvideo,
        archived_media=_unused,
        secretsmanager=secrets,
        session=aws.session,
    )


def test_the_appsync_endpoint_setting_selects_the_appsync_publisher(aws: Aws) -> None:
    settings = replace(SETTINGS, appsync_endpoint="https://api.example/graphql")
    door = build_aws(settings, clients(aws))
    assert isinstance(door.publisher, AppSyncPublisher)


def test_without_the_setting_new_sightings_are_only_logged(aws: Aws) -> None:
    door = build_aws(SETTINGS, clients(aws))
    assert isinstance(door.publisher, LogOnlyPublisher)
