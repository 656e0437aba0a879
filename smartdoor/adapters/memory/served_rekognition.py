"""FakeRekognition answering a real botocore Rekognition client (moto has no Rekognition): served_fakes.py
says how the client still validates every request and every answer against the service model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartdoor.adapters.aws.errors import client_config
from smartdoor.adapters.memory.rekognition import FakeRekognition
from smartdoor.adapters.memory.served_fakes import NOWHERE, SESSION, serve

if TYPE_CHECKING:
    from mypy_boto3_rekognition import RekognitionClient


def rekognition_client() -> RekognitionClient:
    """A Rekognition client that never reaches the network unless a fake or a Stubber answers it."""
    client: RekognitionClient = SESSION.client("rekognition", endpoint_url=NOWHERE, config=client_config())
    return client


def served_by(fake: FakeRekognition) -> RekognitionClient:
    """A real Rekognition client whose calls the fake answers."""
    client = rekognition_client()
    serve(client, fake)
    return client
