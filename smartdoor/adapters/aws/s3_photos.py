"""The PhotoStore port on S3: private objects, handed out only through presigned GET URLs of a few minutes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from smartdoor.adapters.aws.errors import aws_errors
from smartdoor.adapters.aws.photo_tags import PURGED_PREFIX, REGISTERED, REGISTERED_TAG, UNREGISTERED
from smartdoor.domain.errors import NotFound
from smartdoor.domain.model import Photo

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import PutObjectRequestTypeDef

DEFAULT_URL_LIFETIME = timedelta(minutes=5)
# A link in the console or an email is looked at now; a longer-lived one is a photo anyone may forward.
MAX_URL_LIFETIME = timedelta(hours=1)


class S3PhotoStore:
    """Photos in one bucket (``put``); ``url`` and ``delete`` use the bucket each Photo names, as the seed's
    records do. The bucket blocks public access (the CDK app's concern): a presigned URL is the only way
    in. The client must sign with SigV4 (``client_config(signature_version="s3v4")``).

    Snapshots under ``sightings/`` are tagged unregistered, which the bucket's lifecycle rule purges;
    ``keep`` retags them registered (IAM: s3:PutObject with s3:PutObjectTagging to put, s3:PutObjectTagging
    to keep)."""

    def __init__(self, client: S3Client, bucket: str, url_lifetime: timedelta = DEFAULT_URL_LIFETIME) -> None:
        if not timedelta(seconds=1) <= url_lifetime <= MAX_URL_LIFETIME:
            raise ValueError(f"url_lifetime must be from 1 s to {MAX_URL_LIFETIME}, not {url_lifetime}")
        self._client = client
        self.bucket = bucket
        self._lifetime = int(url_lifetime.total_seconds())

    def put(self, key: str, data: bytes, content_type: str, now: datetime) -> Photo:
        request: PutObjectRequestTypeDef = {
            "Bucket": self.bucket,
            "Key": key,
            "Body": data,
            "ContentType": content_type,
            # Browsers may keep it for the link's life, shared caches never.
            "CacheControl": f"private, max-age={self._lifetime}",
        }
        if key.startswith(PURGED_PREFIX):
            # A stranger's snapshot is born purgeable (the lifecycle rule, photo_tags.py) in this same
            # request: no snapshot exists untagged, kept for ever because a second call failed.
            request["Tagging"] = urlencode({REGISTERED_TAG: UNREGISTERED})
        with aws_errors(f"store photo {key}"):
            self._client.put_object(**request)
        return Photo(object_key=key, bucket=self.bucket, created_timestamp=now)

    def keep(self, photo: Photo) -> None:
        if not photo.object_key.startswith(PURGED_PREFIX):
            return  # no rule purges it: nothing to ask S3
        # PutObjectTagging replaces the tag set; "true" rather than no tag, so the object says the decision.
        try:
            with aws_errors(f"keep photo {photo.object_key}"):
                self._client.put_object_tagging(
                    Bucket=photo.bucket,
                    Key=photo.object_key,
                    Tagging={"TagSet": [{"Key": REGISTERED_TAG, "Value": REGISTERED}]},
                )
        except NotFound:
            pass  # already gone: there is nothing left for the purge to take

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
