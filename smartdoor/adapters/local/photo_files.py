"""Photos as files in the data folder, handed out through signed, expiring URLs (like S3 presigned ones)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from smartdoor.domain.errors import InvalidInput, StorageUnavailable
from smartdoor.domain.model import Photo
from smartdoor.ports import Clock

_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
# ASCII digits only and bounded: str.isdigit() accepts "²", which int() then rejects with a ValueError.
_EXPIRES = re.compile(r"[0-9]{1,12}")
BUCKET = "local"


def _valid_key(key: str) -> bool:
    return bool(_KEY.fullmatch(key)) and ".." not in key and len(key) <= 300


class FilePhotoStore:
    def __init__(
        self,
        root: Path,
        base_url: str,
        key: bytes,
        clock: Clock,
        url_lifetime: timedelta = timedelta(minutes=15),
    ) -> None:
        self.root = root
        self._base_url = base_url.rstrip("/")
        self._key = key
        self._clock = clock
        self._lifetime = url_lifetime

    def _path(self, key: str) -> Path:
        if not _valid_key(key):
            raise InvalidInput("objectKey", f"{key!r} is not a valid photo key")
        return self.root / key

    def put(self, key: str, data: bytes, content_type: str, now: datetime) -> Photo:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a reader never sees half a photo.
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)  # a failed write leaves no stray temp file behind
                raise
        except OSError as exc:
            raise StorageUnavailable(f"could not store photo {key}: {exc.strerror}") from exc
        return Photo(object_key=key, bucket=BUCKET, created_timestamp=now)

    def _signature(self, key: str, expires: int) -> str:
        message = b"smartdoor-photo\x00" + f"{key}\x00{expires}".encode()
        return (
            base64.urlsafe_b64encode(hmac.new(self._key, message, hashlib.sha256).digest())
            .decode()
            .rstrip("=")
        )

    def url(self, photo: Photo) -> str:
        expires = int((self._clock.now() + self._lifetime).timestamp())
        signature = self._signature(photo.object_key, expires)
        return f"{self._base_url}/photos/{photo.object_key}?exp={expires}&sig={signature}"

    def open_signed(self, key: str, exp: str, sig: str) -> bytes | None:
        """The photo's bytes if the link is genuine and unexpired; None otherwise (say nothing more)."""
        # compare_digest refuses non-ASCII str, so such a signature is simply wrong.
        if not _valid_key(key) or not _EXPIRES.fullmatch(exp) or not sig.isascii():
            return None
        if not hmac.compare_digest(sig, self._signature(key, int(exp))):
            return None
        if int(exp) <= self._clock.now().timestamp():
            return None
        try:
            return (self.root / key).read_bytes()
        except OSError:
            return None

    def delete(self, photo: Photo) -> None:
        try:
            self._path(photo.object_key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"could not delete photo {photo.object_key}: {exc.strerror}") from exc

    def keep(self, photo: Photo) -> None:
        """Nothing to do: no local rule purges photos (housekeeping deletes expired rows, never files)."""
