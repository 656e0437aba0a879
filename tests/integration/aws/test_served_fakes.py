"""The Rekognition and Kinesis Video fakes over HTTP, as a Lambda in another process reaches them: real boto3
clients, pointed at the server by endpoint, serialising and parsing by the services' own models."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from PIL import Image

from smartdoor.adapters.aws.errors import client_config
from smartdoor_cdk.offline.served_fakes import ServedFakes

pytestmark = pytest.mark.integration

COLLECTION = "door-faces"
AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def fakes() -> Iterator[ServedFakes]:
    served = ServedFakes(COLLECTION)
    served.start()
    yield served
    served.stop()


def client(service: str, endpoint: str) -> Any:
    session = boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    return session.client(service, endpoint_url=endpoint, config=client_config())  # type: ignore[call-overload]


def test_a_face_indexed_over_http_is_found_again_and_a_stranger_is_not(fakes: ServedFakes) -> None:
    rekognition = client("rekognition", fakes.url)
    ada, bob = jpeg((200, 10, 10)), jpeg((10, 10, 200))
    indexed = rekognition.index_faces(
        CollectionId=COLLECTION, Image={"Bytes": ada}, MaxFaces=1, QualityFilter="AUTO"
    )
    [record] = indexed["FaceRecords"]
    face_id = record["Face"]["FaceId"]
    assert fakes.rekognition.face_ids(COLLECTION) == {face_id}
    found = rekognition.search_faces_by_image(
        CollectionId=COLLECTION, Image={"Bytes": ada}, FaceMatchThreshold=90
    )
    assert [m["Face"]["FaceId"] for m in found["FaceMatches"]] == [face_id]
    other = rekognition.search_faces_by_image(
        CollectionId=COLLECTION, Image={"Bytes": bob}, FaceMatchThreshold=90
    )
    assert other["FaceMatches"] == []


def test_the_fakes_errors_reach_the_client_by_their_codes(fakes: ServedFakes) -> None:
    rekognition = client("rekognition", fakes.url)
    with pytest.raises(ClientError) as refused:
        rekognition.search_faces(CollectionId="no-such-collection", FaceId="f")
    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_get_images_goes_to_the_data_endpoint_the_fake_names_and_finds_the_frame(fakes: ServedFakes) -> None:
    frame = jpeg((90, 90, 90))
    fakes.kinesis_video.add_frame("KVS1", AT, frame)
    video = client("kinesisvideo", fakes.url)
    endpoint = video.get_data_endpoint(StreamName="KVS1", APIName="GET_IMAGES")["DataEndpoint"]
    assert endpoint == fakes.url
    archived = client("kinesis-video-archived-media", endpoint)
    images = archived.get_images(
        StreamName="KVS1",
        ImageSelectorType="PRODUCER_TIMESTAMP",
        StartTimestamp=AT - timedelta(seconds=1),
        EndTimestamp=AT + timedelta(seconds=1),
        SamplingInterval=200,
        Format="JPEG",
    )["Images"]
    assert [(i["TimeStamp"], i["ImageContent"]) for i in images] == [(AT, base64.b64encode(frame).decode())]
