"""The FrameUploads port: one contract for the memory uploads and S3 (moto server), then what only S3 shows
(a frame over the cap is refused with its body unread; throttling is an outage)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from smartdoor.adapters.aws.s3_frames import S3FrameUploads
from smartdoor.adapters.memory.frame_path import MemoryUploads
from smartdoor.domain.errors import BadFaceEvent, NotFound, StorageUnavailable
from smartdoor.ports import FrameUploads

from .conftest import Aws

pytestmark = pytest.mark.integration

KEY = "frames/front-door/1764590400000-0123abcd.jpg"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"
Upload = Callable[[str, bytes], None]


class WatchedStream(io.BytesIO):
    """A response body that remembers how much of it was read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


@pytest.fixture(params=["memory", "s3"])
def store(request: pytest.FixtureRequest, aws: Aws) -> tuple[FrameUploads, Upload]:
    if request.param == "memory":
        memory = MemoryUploads()
        return memory, memory.objects.__setitem__
    client = aws.s3()
    client.create_bucket(Bucket="door-photos")

    def upload(key: str, data: bytes) -> None:
        client.put_object(Bucket="door-photos", Key=key, Body=data)

    return S3FrameUploads(client, "door-photos"), upload


def test_a_frame_reads_back_whole_up_to_its_cap(store: tuple[FrameUploads, Upload]) -> None:
    uploads, upload = store
    upload(KEY, JPEG)
    assert uploads.read(KEY, len(JPEG)) == JPEG


def test_a_frame_over_the_cap_is_refused(store: tuple[FrameUploads, Upload]) -> None:
    uploads, upload = store
    upload(KEY, JPEG)
    with pytest.raises(BadFaceEvent, match="over"):
        uploads.read(KEY, len(JPEG) - 1)


def test_a_frame_that_is_gone_is_not_found(store: tuple[FrameUploads, Upload]) -> None:
    uploads, _ = store
    with pytest.raises(NotFound):
        uploads.read(KEY, len(JPEG))


def test_s3_refuses_a_large_frame_from_its_headers_without_reading_the_body(aws: Aws) -> None:
    client = aws.s3()
    raw = WatchedStream(JPEG)
    stub = Stubber(client)
    stub.add_response(
        "get_object",
        {"Body": StreamingBody(raw, len(JPEG)), "ContentLength": len(JPEG)},
        {"Bucket": "door-photos", "Key": KEY},
    )
    with stub, pytest.raises(BadFaceEvent, match=f"{len(JPEG)} bytes"):
        S3FrameUploads(client, "door-photos").read(KEY, 100)
    assert (raw.bytes_read, raw.closed) == (0, True)  # not a byte of it downloaded, the connection let go


@pytest.mark.parametrize("code", ["SlowDown", "InternalError"])
def test_s3_throttled_or_failing_is_storage_unavailable(aws: Aws, code: str) -> None:
    client = aws.s3()
    stub = Stubber(client)
    stub.add_client_error("get_object", service_error_code=code, http_status_code=503)
    with stub, pytest.raises(StorageUnavailable):
        S3FrameUploads(client, "door-photos").read(KEY, 100)
