"""Live sightings across server processes: publish appends to a SQLite feed, every process follows it.

With one process the in-process broker alone is enough (bootstrap picks it); with ``--workers N`` a sighting
made in one process (a camera, a frame, a replay) must reach console subscriptions held by another.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from smartdoor.adapters.local.broker import SightingBroker
from smartdoor.adapters.local.database import Database, to_micros
from smartdoor.adapters.local.sqlite_rows import storage
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.model import Sighting
from smartdoor.ports import Clock, SightingRepository

log = logging.getLogger(__name__)


class SqliteSightingFeed:
    """The SightingPublisher for several processes."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def publish(self, sighting: Sighting) -> None:
        sql = "INSERT INTO sighting_feed (sighting_id, at) VALUES (?, ?)"
        with storage("announce the sighting"):
            self._db.connection().execute(sql, (sighting.id, to_micros(self._clock.now())))

    def latest(self) -> int:
        with storage("read the sighting feed"):
            row = self._db.connection().execute("SELECT COALESCE(MAX(seq), 0) FROM sighting_feed").fetchone()
        return int(row[0])

    def since(self, seq: int) -> list[tuple[int, str]]:
        sql = "SELECT seq, sighting_id FROM sighting_feed WHERE seq > ? ORDER BY seq LIMIT 100"
        with storage("read the sighting feed"):
            return [(int(r[0]), str(r[1])) for r in self._db.connection().execute(sql, (seq,))]


class FeedFollower:
    """Follows the feed in this process and hands each new sighting to the local broker."""

    def __init__(
        self,
        feed: SqliteSightingFeed,
        sightings: SightingRepository,
        broker: SightingBroker,
        every: float = 0.1,
    ) -> None:
        self._feed = feed
        self._sightings = sightings
        self._broker = broker
        self._every = every
        self._seen = 0
        self._stopping = threading.Event()

    def begin(self) -> None:
        """Start at the feed's end: subscribers see what happens from now on, as with the broker alone.
        Called when the server starts, not when the door is built (a door built only to prepare the data
        folder follows nothing), so a feed that cannot be read stops that start, with its reason."""
        self._seen = self._feed.latest()

    def poll(self) -> int:
        """Deliver what is new; return how many. Cheap when nothing is: one indexed SELECT."""
        delivered = 0
        for seq, sighting_id in self._feed.since(self._seen):
            self._seen = seq
            sighting = self._sightings.get(sighting_id)
            if sighting is not None:
                self._broker.publish(sighting)
                delivered += 1
        return delivered

    def stop(self) -> None:
        """Make run() return after the read in flight: cancelling would leave that read running in its
        thread while the database closes under it."""
        self._stopping.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            await asyncio.sleep(self._every)
            if self._broker.subscriber_count == 0:
                self._seen = await asyncio.to_thread(self._feed.latest)
                continue
            try:
                await asyncio.to_thread(self.poll)
            except StorageUnavailable:
                log.exception("could not follow the sighting feed; trying again")
