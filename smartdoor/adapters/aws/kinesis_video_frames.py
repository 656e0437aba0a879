"""The FrameSource port on Kinesis Video: the JPEG of the frame a face event describes, from the archive.

A face-search record arrives from seconds to minutes after its frame, so the frame is looked up by the
record's own time (ProducerTimestamp + FrameOffsetInSeconds, which the caller passes as ``at``), never
"now". GetImages is served by a per-stream data endpoint, which GetDataEndpoint names; it is asked once per
stream and kept.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from smartdoor.adapters.aws.errors import aws_errors

if TYPE_CHECKING:
    from mypy_boto3_kinesis_video_archived_media import KinesisVideoArchivedMediaClient
    from mypy_boto3_kinesisvideo import KinesisVideoClient

log = logging.getLogger(__name__)

# GetImages refuses a range of more than 300 s and a SamplingInterval under 200 ms (its API reference).
MAX_WINDOW = timedelta(seconds=300)
MIN_SAMPLING = timedelta(milliseconds=200)
# A producer timestamp names one frame; the window only covers rounding between the record's time and the
# fragment's frame times. One second at 200 ms is five images at most: the first with content wins.
DEFAULT_WINDOW = timedelta(seconds=1)


class KinesisVideoFrameSource:
    """``streams`` maps each camera id to its Kinesis Video stream name; ``archived_media`` builds the
    archived-media client for a data endpoint (``session.client("kinesis-video-archived-media",
    endpoint_url=..., config=client_config())``). A camera with no stream has no frames to give."""

    def __init__(
        self,
        kinesis_video: KinesisVideoClient,
        archived_media: Callable[[str], KinesisVideoArchivedMediaClient],
        streams: Mapping[str, str],
        window: timedelta = DEFAULT_WINDOW,
        sampling: timedelta = MIN_SAMPLING,
    ) -> None:
        if not MIN_SAMPLING <= sampling <= window <= MAX_WINDOW:
            raise ValueError(f"need {MIN_SAMPLING} <= sampling <= window <= {MAX_WINDOW}")
        self._kinesis_video = kinesis_video
        self._archived_media = archived_media
        self._streams = dict(streams)
        self._window = window
        self._sampling_ms = int(sampling / timedelta(milliseconds=1))
        self._max_images = int(window / sampling) + 1
        self._media: dict[str, KinesisVideoArchivedMediaClient] = {}
        self._lock = threading.Lock()

    def frame_at(self, camera_id: str, at: datetime) -> bytes | None:
        stream = self._streams.get(camera_id)
        if stream is None:
            log.warning("camera %s has no Kinesis Video stream configured: no frame for its event", camera_id)
            return None
        media = self._media_client(stream)
        with aws_errors(f"fetch the frame of stream {stream}"):
            response = media.get_images(
                StreamName=stream,
                ImageSelectorType="PRODUCER_TIMESTAMP",
                StartTimestamp=at,
                EndTimestamp=at + self._window,
                SamplingInterval=self._sampling_ms,
                Format="JPEG",
                MaxResults=self._max_images,
            )
        # Images come in time order; an entry without content carries its Error (NO_MEDIA, MEDIA_ERROR).
        faults: Counter[str] = Counter()
        for image in response.get("Images", []):
            content = image.get("ImageContent")
            if content:
                try:
                    return base64.b64decode(content, validate=True)
                except (binascii.Error, ValueError):
                    faults["not base64"] += 1
            elif image.get("Error", "NO_MEDIA") != "NO_MEDIA":
                faults[str(image.get("Error"))] += 1
        if faults:
            # NO_MEDIA is "not yet" and says nothing; a frame Kinesis Video could not extract is worth one
            # line per fetch, with its reasons, not one per image of the window.
            reasons = ", ".join(f"{count} {reason}" for reason, count in faults.items())
            log.warning("stream %s had no usable image at %s (%s)", stream, at.isoformat(), reasons)
        return None

    def _media_client(self, stream: str) -> KinesisVideoArchivedMediaClient:
        with self._lock:
            cached = self._media.get(stream)
        if cached is not None:
            return cached
        with aws_errors(f"find the data endpoint of stream {stream}"):
            endpoint = self._kinesis_video.get_data_endpoint(StreamName=stream, APIName="GET_IMAGES")[
                "DataEndpoint"
            ]
        client = self._archived_media(endpoint)
        with self._lock:
            return self._media.setdefault(stream, client)
