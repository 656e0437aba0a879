"""The UploadGrants port on S3: a presigned POST for one frame's key in the photo bucket.

The POST policy is the grant: S3 refuses a form whose key, size or content type differs from the policy's
conditions, or that arrives after its expiry. It is signed with the caller's credentials (the resolvers
Lambda's role), so S3 accepts the upload only while that role may s3:PutObject on the key.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

from smartdoor.ports import Clock

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CONTENT_TYPE = "image/jpeg"


class S3UploadGrants:
    """The client must sign with SigV4 (``client_config(signature_version="s3v4")``); signing is local, so
    a grant makes no call to S3."""

    def __init__(self, client: S3Client, bucket: str, clock: Clock) -> None:
        self._client = client
        self.bucket = bucket
        self._clock = clock

    def grant(self, key: str, max_bytes: int, expires_at: datetime) -> tuple[str, dict[str, str]]:
        # botocore dates the policy from its own clock; the lifetime is what the door's clock leaves of it
        # (a grant asked for when already expired stays expired: S3 refuses it).
        lifetime = math.floor((expires_at - self._clock.now()).total_seconds())
        post = self._client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": CONTENT_TYPE},
            Conditions=[
                {"Content-Type": CONTENT_TYPE},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=lifetime,
        )
        return post["url"], {name: str(value) for name, value in post["fields"].items()}
