"""A fake Kinesis Video (GetDataEndpoint, GetImages) answering real botocore clients (moto has no GetImages),
through served_fakes.py as FakeRekognition is: every request is validated against the service model before
the fake sees it, and every answer against the operation's output shape."""

from __future__ import annotations

import base64
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from smartdoor.adapters.aws.errors import client_config
from smartdoor.adapters.memory.served_fakes import NOWHERE, SESSION, serve

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


def kinesis_video_served_by(fake: FakeKinesisVideo) -> KinesisVideoClient:
    client: KinesisVideoClient = SESSION.client("kinesisvideo", endpoint_url=NOWHERE, config=client_config())
    serve(client, fake)
    return client


def archived_media_served_by(fake: FakeKinesisVideo, endpoint: str) -> KinesisVideoArchivedMediaClient:
    """The archived-media client of a data endpoint (the endpoint must be the one the fake named)."""
    if endpoint != ENDPOINT:
        raise AssertionError(f"GetImages sent to {endpoint}, not the stream's data endpoint")
    client: KinesisVideoArchivedMediaClient = SESSION.client(
        "kinesis-video-archived-media", endpoint_url=endpoint, config=client_config()
    )
    serve(client, fake)
    return client
