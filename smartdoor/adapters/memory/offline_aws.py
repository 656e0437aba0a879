"""What build_aws needs, stood up with no AWS account: the tables, the photo bucket, the sender's identity and
the HMAC secret on an AWS-compatible endpoint (a moto server on 127.0.0.1), beside the in-memory Rekognition
that moto lacks. One set-up for the AWS tests, the call-count bench and, later, the offline cloud build."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smartdoor.adapters.aws import tables
from smartdoor.adapters.memory.rekognition import FakeRekognition
from smartdoor.adapters.memory.served_rekognition import served_by
from smartdoor.bootstrap import AwsClients
from smartdoor.config import Settings

if TYPE_CHECKING:
    import boto3


def _no_frames(endpoint: str) -> Any:
    # moto serves no Kinesis Video GetImages: a door stood up here gets its frames with the events.
    raise AssertionError(f"no frame is fetched from Kinesis Video offline ({endpoint})")


def stand_up(
    client: Callable[[str], Any],
    settings: Settings,
    secret_value: str,
    session: boto3.session.Session | None = None,
) -> tuple[AwsClients, FakeRekognition]:
    """Create every table (default names), the bucket, the mail sender's identity, the secret and the face
    collection that ``settings`` name; ``client(service)`` gives a client of the endpoint. Returns the
    clients for build_aws and the fake Rekognition behind them (for a test to look into)."""
    dynamodb, s3, sesv2, secrets = client("dynamodb"), client("s3"), client("sesv2"), client("secretsmanager")
    for table in tables.TABLES:
        tables.create_table(dynamodb, table)
    s3.create_bucket(Bucket=settings.photo_bucket)
    sesv2.create_email_identity(EmailIdentity=settings.mail_from)
    secrets.create_secret(Name=settings.hmac_secret_id, SecretString=secret_value)
    fake = FakeRekognition()
    fake.create_collection(CollectionId=settings.rekognition_collection)
    return clients_with_fakes(client, fake, session), fake


def clients_with_fakes(
    client: Callable[[str], Any], rekognition: FakeRekognition, session: boto3.session.Session | None = None
) -> AwsClients:
    """build_aws's clients: the endpoint's for what moto holds, ``rekognition`` served through a real
    botocore client, and no Kinesis Video frames (moto serves no GetImages)."""
    return AwsClients(
        dynamodb=client("dynamodb"),
        s3=client("s3"),
        sesv2=client("sesv2"),
        sns=client("sns"),
        rekognition=served_by(rekognition),
        kinesisvideo=client("kinesisvideo"),
        archived_media=_no_frames,
        secretsmanager=client("secretsmanager"),
        session=session,
    )
