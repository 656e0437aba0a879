"""A SightingPublisher that only logs: the door on AWS until the AppSync publisher is wired in.

New sightings are stored and emailed as ever; only the live console's push is missing, and this says so
once when built, then logs each sighting it did not push.
"""

from __future__ import annotations

import logging

from smartdoor.domain.model import Sighting

log = logging.getLogger(__name__)


class LogOnlyPublisher:
    def __init__(self, endpoint: str = "") -> None:
        self._endpoint = endpoint
        log.warning(
            "no AppSync publisher is wired in%s: new sightings are not pushed to the live console",
            f" (SMARTDOOR_APPSYNC_ENDPOINT={endpoint})" if endpoint else "",
        )

    def publish(self, sighting: Sighting) -> None:
        log.info("sighting %s not pushed to the live console: no AppSync publisher", sighting.id)
