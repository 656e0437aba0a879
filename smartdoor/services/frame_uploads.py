"""Door devices: the owner issues a device's token for one camera; the device trades it for one-frame upload
grants, each counted under the device's limit before it is made."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from smartdoor.domain.device_tokens import (
    DeviceGrant,
    DeviceTokenInvalid,
    sign_device_token,
    verify_device_token,
)
from smartdoor.domain.errors import InvalidInput, RateLimited, StorageUnavailable
from smartdoor.domain.frame_keys import frame_key
from smartdoor.services.authorization import Actor, require_owner
from smartdoor.services.context import Door

# A device's clock may drift, and a frame is asked for as soon as it is taken: anything further off is a
# replayed request or a broken clock, and its time would misdate the sighting.
MAX_CLOCK_SKEW = timedelta(minutes=5)
_RATE_WINDOW = timedelta(minutes=1)
_PROBE_ID = "0" * 32  # any valid frame id: only the camera is being checked


@dataclass(frozen=True)
class FrameUpload:
    url: str
    fields: dict[str, str]
    key: str
    expires_at: datetime
    max_bytes: int


def _checked_camera(camera_id: str, now: datetime) -> str:
    try:
        frame_key(camera_id, now, _PROBE_ID)
    except ValueError as exc:
        raise InvalidInput(
            "cameraId", "cameraId must be 1-256 letters, digits, '_', '.' or '-' (not '.' or '..')."
        ) from exc
    return camera_id


def _frame_id(fresh: str) -> str:
    # A frame key's id is hex (frame_keys.py) and the injected ids are any text: the key takes a digest.
    return hashlib.sha256(fresh.encode()).hexdigest()[:32]


def issue_device_token(door: Door, actor: Actor, camera_id: str) -> str:
    """The owner's token for a device of ``camera_id``, shown once (nothing stores it)."""
    require_owner(actor)
    camera = _checked_camera(camera_id, door.clock.now())
    return sign_device_token(DeviceGrant(camera, door.ids.new_id()), door.secret_key)


def _retry_after(now: datetime, window: timedelta) -> int:
    # The throttle's windows are floored from the epoch: the count starts again at the next boundary.
    size = window.total_seconds()
    return max(1, math.ceil(size - now.timestamp() % size))


def request_frame_upload(door: Door, camera_id: str, device_token: str, taken_at: datetime) -> FrameUpload:
    """A grant to upload one frame of ``camera_id`` taken at ``taken_at``, for the holder of its token."""
    now = door.clock.now()
    camera = _checked_camera(camera_id, now)
    device = verify_device_token(device_token, door.secret_key)
    if device.camera_id != camera:
        raise DeviceTokenInvalid("This device token is for another camera.")
    if abs(taken_at - now) > MAX_CLOCK_SKEW:
        raise InvalidInput(
            "takenAt", "takenAt must be within 5 minutes of the door's time: check the device's clock."
        )
    if door.upload_grants is None:
        raise StorageUnavailable("this door has no frame uploads configured")
    policy = door.policy
    # Counted before anything is granted, and only for a genuine token, so a forger cannot spend a
    # device's allowance: one conditional increment.
    if not door.throttle.acquire(
        f"device-frames:{device.token_id}", policy.device_frames_per_minute, _RATE_WINDOW, now
    ):
        wait = _retry_after(now, _RATE_WINDOW)
        raise RateLimited(f"Too many frames from this device: try again in {wait} s.", wait)
    key = frame_key(camera, taken_at, _frame_id(door.ids.new_id()))
    expires_at = now + policy.frame_grant_lifetime
    url, fields = door.upload_grants.grant(key, policy.frame_max_bytes, expires_at)
    return FrameUpload(url, fields, key, expires_at, policy.frame_max_bytes)
