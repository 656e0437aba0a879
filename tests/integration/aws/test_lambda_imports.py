"""A Lambda ships smartdoor/adapters/aws: importing any of its modules must pull in nothing local or heavy,
and neither may building the door on AWS (smartdoor.bootstrap.build_aws).

Each module is imported alone in a fresh interpreter (modules already loaded here would hide an import),
and every module of the package is checked, so a new one is covered the day it is added.
"""

from __future__ import annotations

import os
import pkgutil

import pytest

import smartdoor.adapters.aws
from tests.lambda_imports import forbidden_in, loaded_by, loaded_running

pytestmark = pytest.mark.integration

MODULES = sorted(
    ["smartdoor.adapters.aws", "smartdoor.adapters.mime", "smartdoor.adapters.crop_region"]
    + [m.name for m in pkgutil.iter_modules(smartdoor.adapters.aws.__path__, "smartdoor.adapters.aws.")]
)


def test_every_module_of_the_package_is_checked() -> None:
    assert {
        "smartdoor.adapters.aws.dynamo_claims",
        "smartdoor.adapters.aws.dynamo_events",
        "smartdoor.adapters.aws.dynamo_face_owners",
        "smartdoor.adapters.aws.dynamo_items",
        "smartdoor.adapters.aws.dynamo_limits",
        "smartdoor.adapters.aws.dynamo_outbox",
        "smartdoor.adapters.aws.dynamo_passcodes",
        "smartdoor.adapters.aws.dynamo_registrations",
        "smartdoor.adapters.aws.dynamo_sightings",
        "smartdoor.adapters.aws.dynamo_visitors",
        "smartdoor.adapters.aws.errors",
        "smartdoor.adapters.aws.face_crop",
        "smartdoor.adapters.aws.kinesis_video_frames",
        "smartdoor.adapters.aws.log_publisher",
        "smartdoor.adapters.aws.rekognition_faces",
        "smartdoor.adapters.aws.outbox_dispatcher",
        "smartdoor.adapters.aws.s3_frames",
        "smartdoor.adapters.aws.s3_photos",
        "smartdoor.adapters.aws.appsync_publisher",
        "smartdoor.adapters.aws.secret_key",
        "smartdoor.adapters.aws.ses_mailer",
        "smartdoor.adapters.aws.sns_sms",
        "smartdoor.adapters.aws.tables",
    } <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_a_module_imports_nothing_a_lambda_must_not_ship(module: str) -> None:
    loaded = loaded_by(module)
    assert module in loaded
    shipped_wrongly = forbidden_in(loaded)
    assert shipped_wrongly == []


# The door built as a Lambda builds it, over clients that reach no network: the one call build_aws makes
# (GetSecretValue) is answered by botocore's Stubber.
BUILD = """
import json, sys
import boto3
from botocore.stub import Stubber
from smartdoor.adapters.aws.errors import client_config
from smartdoor.bootstrap import AwsClients, build_aws
from smartdoor.config import Settings

session = boto3.session.Session(
    aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
)

def client(service):
    return session.client(service, endpoint_url="http://127.0.0.1:9", config=client_config())

secrets = client("secretsmanager")
stub = Stubber(secrets)
stub.add_response("get_secret_value", {"SecretString": "k" * 48}, {"SecretId": "door-key"})
stub.activate()
clients = AwsClients(
    client("dynamodb"), client("s3"), client("sesv2"), client("sns"), client("rekognition"),
    client("kinesisvideo"), lambda endpoint: client("kinesis-video-archived-media"), secrets,
)
door = build_aws(Settings(photo_bucket="photos", hmac_secret_id="door-key"), clients)
stub.assert_no_pending_responses()
assert door.secret_key == b"k" * 48
print(json.dumps(sorted(sys.modules)))
"""


def test_building_the_door_on_aws_imports_nothing_a_lambda_must_not_ship() -> None:
    loaded = loaded_running(BUILD, timeout=120)
    assert "smartdoor.adapters.aws.dynamo_registrations" in loaded  # it did build the AWS door
    shipped_wrongly = forbidden_in(loaded)
    assert shipped_wrongly == []


# The outbox sender's dispatcher, built as its Lambda builds it (no request is made until a message is due).
BUILD_DISPATCHER = """
import json, sys
import stream_handler.outbox
from smartdoor.edges import lambda_outbox

dispatcher = lambda_outbox.get_dispatcher("req-1")
assert type(dispatcher).__name__ == "OutboxDispatcher"
print(json.dumps(sorted(sys.modules)))
"""


def test_building_the_outbox_sender_imports_nothing_a_lambda_must_not_ship() -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "SMARTDOOR_MAIL_FROM": "door@example.com",
        "AWS_DEFAULT_REGION": "us-east-1",  # as Lambda sets it; the clients are built, never called
    }
    loaded = loaded_running(BUILD_DISPATCHER, env, timeout=120)
    assert "smartdoor.adapters.aws.ses_mailer" in loaded  # it did build the dispatcher
    assert forbidden_in(loaded) == []
