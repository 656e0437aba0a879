"""The door device's side of the frame path: ask the API for a one-frame upload grant, then POST the JPEG.

The device holds only its camera's device token (and, on AppSync, the API key): never the owner's
credentials. Neither is ever put in a URL, a log line or an exception's text. Every failure is sorted here,
by type, status and the API's error code, into what the caller does next:

- DeviceForbidden: the token (or the API key) is refused; nothing will work until it is fixed: stop.
- UploadRefused: this frame is refused (bad input, 400/403/413 from the upload): drop it, go on.
- UploadUnavailable: transient (5xx, a connection error, rate limited): retry later, after ``retry_after``
  seconds when the API says.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

REQUEST_FRAME_UPLOAD = """
mutation RequestFrameUpload($cameraId: String!, $deviceToken: String!, $takenAt: AWSDateTime!) {
  requestFrameUpload(cameraId: $cameraId, deviceToken: $deviceToken, takenAt: $takenAt) {
    url fields key expiresAt maxBytes
  }
}
"""
REFUSED_STATUSES = frozenset({400, 403, 413})
# AppSync's RATE_LIMITED carries the wait in its message ("try again in 12 s") when errorInfo has none.
_SECONDS_IN_MESSAGE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:s\b|sec|second)")


class DeviceForbidden(Exception):
    """The API refuses this device's credentials."""


class UploadRefused(Exception):
    """This frame will not be taken; retrying it would be refused again."""


class UploadUnavailable(Exception):
    """A transient failure; the frame may be sent again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class FrameUpload:
    url: str
    fields: dict[str, str]  # in the API's order: sent first, unchanged
    key: str
    expires_at: datetime
    max_bytes: int


def iso_utc(at: datetime) -> str:
    """AWSDateTime, in UTC with milliseconds (the frame key keeps milliseconds)."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FrameUploadApi:
    """One camera's uploads through one API (AppSync with its API key, or the local server's /graphql)."""

    def __init__(
        self,
        api_url: str,
        camera_id: str,
        device_token: str,
        api_key: str | None = None,
        http: httpx.Client | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.api_url = api_url
        self.camera_id = camera_id
        self._device_token = device_token
        self._headers = {"content-type": "application/json"}
        if api_key:
            self._headers["x-api-key"] = api_key
        self._http = http or httpx.Client(timeout=timeout)

    def __repr__(self) -> str:  # never the token
        return f"FrameUploadApi({self.api_url!r}, camera {self.camera_id!r})"

    def close(self) -> None:
        self._http.close()

    def request_upload(self, taken_at: datetime) -> FrameUpload:
        body = {
            "query": REQUEST_FRAME_UPLOAD,
            "variables": {
                "cameraId": self.camera_id,
                "deviceToken": self._device_token,
                "takenAt": iso_utc(taken_at),
            },
        }
        try:
            response = self._http.post(self.api_url, json=body, headers=self._headers)
        except httpx.TransportError as exc:
            raise UploadUnavailable(f"cannot reach the API: {type(exc).__name__}") from None
        if response.status_code in (401, 403):
            raise DeviceForbidden(f"the API answered HTTP {response.status_code} (check the API key)")
        if response.status_code >= 500 or response.status_code == 429:
            raise UploadUnavailable(f"the API answered HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise UploadUnavailable(f"the API answered HTTP {response.status_code} without JSON") from None
        if not isinstance(answer, dict):
            raise UploadUnavailable("the API's answer is not a GraphQL response")
        errors = answer.get("errors")
        if errors:
            raise _error(errors[0] if isinstance(errors, list) and isinstance(errors[0], dict) else {})
        if response.status_code >= 400:
            raise UploadRefused(f"the API answered HTTP {response.status_code}")
        try:
            return _grant((answer.get("data") or {})["requestFrameUpload"])
        except (KeyError, TypeError, ValueError) as exc:
            raise UploadUnavailable(f"the API's upload grant is malformed: {exc}") from None

    def post_frame(self, upload: FrameUpload, jpeg: bytes) -> None:
        """The presigned POST: every granted field first, in order, then the JPEG as ``file``."""
        try:
            response = self._http.post(
                upload.url, data=upload.fields, files={"file": ("frame.jpg", jpeg, "image/jpeg")}
            )
        except httpx.TransportError as exc:
            raise UploadUnavailable(f"cannot reach the upload: {type(exc).__name__}") from None
        status = response.status_code
        if status in REFUSED_STATUSES:
            raise UploadRefused(f"the upload answered HTTP {status}")
        if status >= 500 or status == 429:
            raise UploadUnavailable(f"the upload answered HTTP {status}")
        if not 200 <= status < 300:
            raise UploadRefused(f"the upload answered HTTP {status}")


def _grant(data: Any) -> FrameUpload:
    fields = data["fields"]
    if isinstance(fields, str):  # AWSJSON comes as a JSON text from AppSync
        fields = json.loads(fields)
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise ValueError("fields is not a JSON object of strings")
    expires = datetime.fromisoformat(str(data["expiresAt"]).replace("Z", "+00:00"))
    return FrameUpload(str(data["url"]), dict(fields), str(data["key"]), expires, int(data["maxBytes"]))


# The codes that say this request will never be granted as it is (smartdoor/error_codes.py): drop the frame.
REFUSALS = frozenset({"BAD_USER_INPUT", "BAD_REQUEST", "NOT_FOUND", "CONFLICT"})


def _error(error: dict[str, Any]) -> Exception:
    """By the local server's extensions.code or AppSync's errorType: the same codes (resolvers/errors.py)."""
    extensions = error.get("extensions") if isinstance(error.get("extensions"), dict) else {}
    code = (extensions or {}).get("code") or error.get("errorType")
    message = str(error.get("message", ""))[:200]
    if code == "FORBIDDEN":
        return DeviceForbidden("the API refused the device token")
    if code == "RATE_LIMITED":
        return UploadUnavailable("rate limited", _retry_after(error, extensions or {}, message))
    if code in REFUSALS:
        info = error.get("errorInfo") if isinstance(error.get("errorInfo"), dict) else {}
        field = (extensions or {}).get("field") or (info or {}).get("field")
        return UploadRefused(f"the API refused the request ({field or 'bad input'}): {message}")
    return UploadUnavailable(f"the API answered {code or 'an error'}: {message}")


def _retry_after(error: dict[str, Any], extensions: dict[str, Any], message: str) -> float | None:
    info = error.get("errorInfo") if isinstance(error.get("errorInfo"), dict) else {}
    for value in (extensions.get("retryAfter"), (info or {}).get("retryAfter")):
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
    found = _SECONDS_IN_MESSAGE.search(message)
    return float(found[1]) if found else None
