"""The PhotoStore port on S3: private objects, handed out only through presigned GET URLs of a few minutes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from smartdoor.adapters.aws.errors import aws_errors
from smartdoor.domain.model import Photo

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

DEFAULT_URL_LIFETIME = timedelta(minutes=5)
# A link in the console or an email is looked at now; a longer-lived one is a photo anyone may forward.
MAX_URL_LIFETIME = timedelta(hours=1)


class S3PhotoStore:
    """Photos in one bucket (``put``); ``url`` and ``delete`` use the bucket each Photo names, as the seed's
    records do. The bucket blocks public access (the CDK app's concern): a presigned URL is the only way
    in. The client must sign with SigV4 (``client_config(signature_version="s3v4")``)."""

    def __init__(self, client: S3Client, bucket: str, url_lifetime: timedelta = DEFAULT_URL_LIFETIME) -> None:
        if not timedelta(seconds=1) <= url_lifetime <= MAX_URL_LIFETIME:
            raise ValueError(f"url_lifetime must be from 1 s to {MAX_URL_LIFETIME}, not {url_lifetime}")
        self._client = client
        self.bucket = bucket
        self._lifetime = int(url_lifetime.total_seconds())

    def put(self, key: str, data: bytes, content_type: str, now: datetime) -> Photo:
        with aws_errors(f"store photo {key}"):
            self._client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                # Browsers may keep it for the link's life, shared caches never.
                CacheControl=f"private, max-age={self._lifetime}",
            )
        return Photo(object_key=key, bucket=self.bucket, created_timestamp=now)

    def url(self, photo: Photo) -> str:
        # Signing is local (no request), but it can still fail, e.g. without credentials.
        with aws_errors(f"sign a link to photo {photo.object_key}"):
            return self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": photo.bucket, "Key": photo.object_key},
                ExpiresIn=self._lifetime,
            )

    def delete(self, photo: Photo) -> None:
        # S3 answers 204 for a key that is already gone: deleting twice is fine.
        with aws_errors(f"delete photo {photo.object_key}"):
            self._client.delete_object(Bucket=photo.bucket, Key=photo.object_key)
