"""The Kinesis Video frame source on botocore's Stubber (moto has no GetImages): GetDataEndpoint once per
stream, then GetImages at the record's own time, the image's base64 decoded, no media as None."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from botocore.stub import Stubber

from smartdoor.adapters.aws.errors import client_config
from smartdoor.adapters.aws.kinesis_video_frames import KinesisVideoFrameSource
from smartdoor.adapters.memory.served_fakes import SESSION
from smartdoor.domain.errors import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_kinesis_video_archived_media import KinesisVideoArchivedMediaClient
    from mypy_boto3_kinesisvideo import KinesisVideoClient

pytestmark = pytest.mark.integration

# A record's ProducerTimestamp + FrameOffsetInSeconds: the frame it describes, minutes before it arrived.
AT = datetime(2026, 11, 23, 12, 0, 4, 250000, tzinfo=UTC)
ENDPOINT = "https://b-1234abcd.kinesisvideo.us-east-1.amazonaws.com"
JPEG = b"\xff\xd8\xff\xe0 the frame \xff\xd9"


class Clients:
    def __init__(self) -> None:
        self.kvs: KinesisVideoClient = SESSION.client(
            "kinesisvideo", endpoint_url="http://127.0.0.1:9", config=client_config()
        )
        self.media: KinesisVideoArchivedMediaClient = SESSION.client(
            "kinesis-video-archived-media", endpoint_url="http://127.0.0.1:9", config=client_config()
        )
        self.endpoints: list[str] = []
        self.kvs_stub, self.media_stub = Stubber(self.kvs), Stubber(self.media)

    def archived_media(self, endpoint: str) -> KinesisVideoArchivedMediaClient:
        self.endpoints.append(endpoint)
        return self.media

    def source(self, **options: timedelta) -> KinesisVideoFrameSource:
        return KinesisVideoFrameSource(self.kvs, self.archived_media, {"front": "door-cam-1"}, **options)

    def expect_endpoint(self) -> None:
        self.kvs_stub.add_response(
            "get_data_endpoint",
            {"DataEndpoint": ENDPOINT},
            {"StreamName": "door-cam-1", "APIName": "GET_IMAGES"},
        )

    def expect_images(self, images: list[dict[str, object]], at: datetime = AT) -> None:
        self.media_stub.add_response(
            "get_images",
            {"Images": images},
            {
                "StreamName": "door-cam-1",
                "ImageSelectorType": "PRODUCER_TIMESTAMP",
                "StartTimestamp": at,
                "EndTimestamp": at + timedelta(seconds=1),
                "SamplingInterval": 200,
                "Format": "JPEG",
                "MaxResults": 6,
            },
        )


@pytest.fixture
def clients() -> Clients:
    return Clients()


def image(content: bytes | None, at: datetime = AT, error: str | None = None) -> dict[str, object]:
    entry: dict[str, object] = {"TimeStamp": at}
    if content is not None:
        entry["ImageContent"] = base64.b64encode(content).decode()
    if error is not None:
        entry["Error"] = error
    return entry


def test_the_frame_is_fetched_at_the_record_s_time_from_the_stream_s_data_endpoint(clients: Clients) -> None:
    clients.expect_endpoint()
    clients.expect_images([image(None, error="NO_MEDIA"), image(JPEG, AT + timedelta(milliseconds=200))])
    later = AT + timedelta(minutes=3)
    clients.expect_images([image(b"later frame", later)], at=later)
    source = clients.source()
    with clients.kvs_stub, clients.media_stub:
        assert source.frame_at("front", AT) == JPEG  # the first image with content, decoded
        assert source.frame_at("front", later) == b"later frame"
    clients.kvs_stub.assert_no_pending_responses()
    clients.media_stub.assert_no_pending_responses()
    assert clients.endpoints == [ENDPOINT]  # asked once for the stream, then kept


def test_no_media_at_that_time_is_no_frame(clients: Clients) -> None:
    clients.expect_endpoint()
    clients.expect_images([image(None, error="NO_MEDIA"), image(None, error="MEDIA_ERROR")])
    clients.expect_images([])
    source = clients.source()
    with clients.kvs_stub, clients.media_stub:
        assert source.frame_at("front", AT) is None
        assert source.frame_at("front", AT) is None


def test_images_kinesis_video_could_not_give_are_no_frame_logged_once_with_their_reasons(
    clients: Clients, caplog: pytest.LogCaptureFixture
) -> None:
    clients.expect_endpoint()
    bad = {"TimeStamp": AT, "ImageContent": "not base64!"}
    clients.expect_images([image(None, error="MEDIA_ERROR"), bad, image(None, error="MEDIA_ERROR")])
    clients.expect_images([image(None, error="NO_MEDIA")])
    source = clients.source()
    with clients.kvs_stub, clients.media_stub, caplog.at_level(logging.INFO, logger="smartdoor"):
        assert source.frame_at("front", AT) is None
        [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert "door-cam-1" in warning.getMessage()
        assert "2 MEDIA_ERROR, 1 not base64" in warning.getMessage()
        caplog.clear()
        assert source.frame_at("front", AT) is None  # no media yet is no fault: nothing to warn about
        assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_camera_without_a_stream_has_no_frame_and_costs_no_call(clients: Clients) -> None:
    with clients.kvs_stub, clients.media_stub:
        assert clients.source().frame_at("garage", AT) is None
    assert clients.endpoints == []


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ClientLimitExceededException", "throttled"),
        ("ResourceNotFoundException", "ResourceNotFoundException"),
        ("NotAuthorizedException", "NotAuthorizedException"),
    ],
)
def test_errors_are_storage_unavailable(clients: Clients, code: str, message: str) -> None:
    clients.kvs_stub.add_client_error("get_data_endpoint", service_error_code=code, http_status_code=400)
    clients.expect_endpoint()
    clients.media_stub.add_client_error("get_images", service_error_code=code, http_status_code=400)
    source = clients.source()
    with clients.kvs_stub, clients.media_stub:
        with pytest.raises(StorageUnavailable, match=message):
            source.frame_at("front", AT)
        with pytest.raises(StorageUnavailable, match=message):
            source.frame_at("front", AT)
    assert clients.endpoints == [ENDPOINT]  # a failed endpoint lookup is not cached


@pytest.mark.parametrize(
    "options",
    [
        {"window": timedelta(seconds=301)},
        {"sampling": timedelta(milliseconds=199)},
        {"window": timedelta(milliseconds=100), "sampling": timedelta(milliseconds=200)},
    ],
)
def test_a_window_or_sampling_the_api_refuses_is_refused_up_front(
    clients: Clients, options: dict[str, timedelta]
) -> None:
    with pytest.raises(ValueError, match="sampling"):
        clients.source(**options)
