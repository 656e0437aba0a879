"""Where a door device's frame is stored, and what its name says: ``frames/<camera>/<taken at, ms>-<id>.jpg``.

The name is the frame's only metadata on the frame path: the upload's signed policy fixes the key, so the
Lambda that S3 wakes can trust the camera and the time it reads back from it (an object's own metadata is
whatever the uploader sent). One module builds and parses it, for the upload grant and the frame handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from smartdoor.domain.errors import BadFaceEvent

FRAME_PREFIX = "frames/"
# A camera is named as a Kinesis Video stream may be ([A-Za-z0-9_.-]{1,256}); the id is the grant's own
# (hex), so the key holds nothing a URL, a log line or an S3 event would need to escape; "." and ".." are no
# camera's, whatever reads the key as a path.
_KEY = re.compile(
    r"frames/(?!\.\.?/)(?P<camera>[A-Za-z0-9_.-]{1,256})/(?P<ms>[0-9]{1,15})-(?P<id>[0-9a-f]{8,64})\.jpg"
)


@dataclass(frozen=True)
class FrameKey:
    camera_id: str
    taken_at: datetime
    frame_id: str

    def __str__(self) -> str:
        millis = int(self.taken_at.timestamp() * 1000)
        return f"{FRAME_PREFIX}{self.camera_id}/{millis}-{self.frame_id}.jpg"


def frame_key(camera_id: str, taken_at: datetime, frame_id: str) -> str:
    """The object key of a frame; ValueError for a camera or an id that parse_frame_key would refuse."""
    key = str(FrameKey(camera_id, taken_at, frame_id))
    if _KEY.fullmatch(key) is None:
        raise ValueError(f"no frame key can be made of camera {camera_id!r:.60} and id {frame_id!r:.60}")
    return key


def parse_frame_key(key: str) -> FrameKey:
    """The camera, time and id a frame key names; BadFaceEvent for any other object's key."""
    found = _KEY.fullmatch(key)
    if found is None:
        raise BadFaceEvent(f"not a door frame's key: {key!r:.120}")
    taken_at = datetime.fromtimestamp(int(found["ms"]) / 1000, UTC)
    return FrameKey(found["camera"], taken_at, found["id"])
