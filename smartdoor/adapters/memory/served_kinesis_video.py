"""A fake Kinesis Video (GetDataEndpoint, GetImages) answering real botocore clients (moto has no GetImages),
as served_rekognition does for Rekognition: every request is validated against the service model before
the fake sees it, and every answer against the operation's output shape."""

from __future__ import annotations

import base64
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from botocore.model import OperationModel
from botocore.validate import validate_parameters

from smartdoor.adapters.aws.errors import client_config
from smartdoor.adapters.memory.served_rekognition import SESSION

if TYPE_CHECKING:
    from mypy_boto3_kinesis_video_archived_media import KinesisVideoArchivedMediaClient
    from mypy_boto3_kinesisvideo import KinesisVideoClient

ENDPOINT = "https://b-1234abcd.kinesisvideo.us-east-1.amazonaws.com"


class FakeKinesisVideo:
    """Streams of frames by producer time. ``throttled`` GetImages calls to come are refused as Kinesis
    Video refuses a client over its limits; ``requests`` are the GetImages parameters, in call order."""

    def __init__(self) -> None:
        self.frames: dict[str, list[tuple[datetime, bytes]]] = {}
        self.throttled = 0
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def add_frame(self, stream: str, at: datetime, jpeg: bytes) -> None:
        with self._lock:
            self.frames.setdefault(stream, []).append((at, jpeg))

    def get_data_endpoint(self, StreamName: str, APIName: str) -> dict[str, Any]:
        return {"DataEndpoint": ENDPOINT}

    def get_images(self, **params: Any) -> dict[str, Any]:
        with self._lock:
            self.requests.append(params)
            if self.throttled > 0:
                self.throttled -= 1
                raise ClientError(
                    {"Error": {"Code": "ClientLimitExceededException", "Message": "throttled"}}, "GetImages"
                )
            start, end = params["StartTimestamp"], params["EndTimestamp"]
            found = [
                (at, jpeg) for at, jpeg in self.frames.get(params["StreamName"], []) if start <= at <= end
            ]
        images: list[dict[str, Any]] = [
            {"TimeStamp": at, "ImageContent": base64.b64encode(jpeg).decode()} for at, jpeg in sorted(found)
        ]
        return {"Images": images or [{"TimeStamp": start, "Error": "NO_MEDIA"}]}


def _serve(client: Any, fake: FakeKinesisVideo) -> None:
    def keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["fake_params"] = dict(params)

    def answer(
        model: OperationModel, context: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]]:
        try:
            parsed: dict[str, Any] = getattr(fake, xform_name(model.name))(**context["fake_params"])
        except ClientError as exc:
            error = dict(exc.response)
            error["ResponseMetadata"] = {"HTTPStatusCode": 400}
            return AWSResponse("http://fake", 400, {}, None), error  # type: ignore[arg-type]
        assert model.output_shape is not None
        validate_parameters(parsed, model.output_shape)
        parsed["ResponseMetadata"] = {"HTTPStatusCode": 200}
        return AWSResponse("http://fake", 200, {}, None), parsed  # type: ignore[arg-type]

    # Each client has its own event system: these handlers see only this client's calls.
    client.meta.events.register("before-parameter-build", keep_params)
    client.meta.events.register("before-call", answer)


def kinesis_video_served_by(fake: FakeKinesisVideo) -> KinesisVideoClient:
    client: KinesisVideoClient = SESSION.client(
        "kinesisvideo", endpoint_url="http://127.0.0.1:9", config=client_config()
    )
    _serve(client, fake)
    return client


def archived_media_served_by(fake: FakeKinesisVideo, endpoint: str) -> KinesisVideoArchivedMediaClient:
    """The archived-media client of a data endpoint (the endpoint must be the one the fake named)."""
    if endpoint != ENDPOINT:
        raise AssertionError(f"GetImages sent to {endpoint}, not the stream's data endpoint")
    client: KinesisVideoArchivedMediaClient = SESSION.client(
        "kinesis-video-archived-media", endpoint_url=endpoint, config=client_config()
    )
    _serve(client, fake)
    return client
