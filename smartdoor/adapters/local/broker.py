"""In-process publish/subscribe for the live console: the local twin of the AppSync subscription."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator

from smartdoor.domain.model import Sighting

log = logging.getLogger(__name__)


class SightingBroker:
    """Fans each published sighting out to every subscriber's bounded queue.

    publish() may be called from any thread (camera workers, request threads); each subscriber's queue
    belongs to its event loop, so delivery goes through that loop. A subscriber that falls behind loses
    its oldest items, never the server's memory.
    """

    def __init__(self, queue_size: int = 100) -> None:
        self._subscribers: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Sighting]]] = set()
        self._lock = threading.Lock()
        self._queue_size = queue_size
        self.dropped = 0

    def publish(self, sighting: Sighting) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for loop, queue in subscribers:
            try:
                loop.call_soon_threadsafe(self._offer, queue, sighting)
            except RuntimeError:  # that subscriber's loop has closed; it is leaving anyway
                continue

    def _offer(self, queue: asyncio.Queue[Sighting], sighting: Sighting) -> None:
        if queue.full():
            queue.get_nowait()
            self.dropped += 1
            log.warning("a console subscriber is too slow; dropped its oldest sighting")
        queue.put_nowait(sighting)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def subscribe(self) -> AsyncIterator[Sighting]:
        queue: asyncio.Queue[Sighting] = asyncio.Queue(self._queue_size)
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._subscribers.add(entry)
        try:
            while True:
                yield await queue.get()
        finally:
            with self._lock:
                self._subscribers.discard(entry)
