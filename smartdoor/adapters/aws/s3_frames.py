"""The FrameUploads port on S3: a door device's frame, read from the photo bucket by its key.

The size is known from GetObject's headers before the body is read, so an object larger than the cap is
refused having downloaded nothing of it (the body stream is closed unread).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartdoor.adapters.aws.errors import aws_errors
from smartdoor.domain.errors import BadFaceEvent

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class S3FrameUploads:
    """Frames in one bucket (the photo bucket, under frames/: the CDK app grants uploads there)."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    def read(self, key: str, max_bytes: int) -> bytes:
        # NoSuchKey (deleted since the notification) leaves as NotFound; throttling as StorageUnavailable.
        with aws_errors(f"read frame {key}"):
            response = self._client.get_object(Bucket=self.bucket, Key=key)
        body = response["Body"]
        try:
            size = response.get("ContentLength", 0)
            if size > max_bytes:
                raise BadFaceEvent(f"frame {key} is {size} bytes, over the {max_bytes} it may have")
            with aws_errors(f"read frame {key}"):  # the stream can break after the headers came
                data = body.read(max_bytes + 1)
        finally:
            body.close()
        if len(data) > max_bytes:  # a length header that understated the body
            raise BadFaceEvent(f"frame {key} is over the {max_bytes} bytes it may have")
        return data
