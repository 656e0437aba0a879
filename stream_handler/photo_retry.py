"""The photo retry Lambda: fetches the frames Kinesis Video had no media for when their face event came.

Handler setting ``stream_handler.photo_retry.handler``, run on a schedule (every minute); each run tries
every due task once (services/awaited_photos.py). It raises nothing for a missing photo: a task not done
stays in its table, due again, and the next run takes it.
"""

from __future__ import annotations

import logging
from typing import Any

from smartdoor.services.awaited_photos import retry_awaited_photos
from stream_handler.container import get_door

log = logging.getLogger("smartdoor.photo_retry")


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    runner = str(getattr(context, "aws_request_id", "") or "photo-retry")
    outcomes = retry_awaited_photos(get_door(), runner)
    counts = {kind.value: sum(o is kind for o in outcomes) for kind in {*outcomes}}
    if outcomes:
        log.info("photo retries: %s", counts)
    return counts
