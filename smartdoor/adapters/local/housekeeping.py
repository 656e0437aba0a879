"""Local housekeeping: what DynamoDB's TTL does on AWS. Expired rows are already ignored by every read
(the rules check times in code); this only keeps the file from growing for ever."""

from __future__ import annotations

import logging
import threading

from smartdoor.adapters.local.database import Database, to_micros
from smartdoor.adapters.local.sqlite_rows import storage
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.ports import Clock

log = logging.getLogger(__name__)

# (table, condition on :now) for rows no rule can ever read again.
_EXPIRED = (
    ("passcodes", "expires_at <= :now"),
    ("throttle", "window_end <= :now"),
    ("attempts", "forget_at <= :now AND (locked_until IS NULL OR locked_until <= :now)"),
    ("claims", "expires_at <= :now"),
    ("sighting_feed", "at <= :now - 3600000000"),  # an hour on: every process has long followed it
)


class Housekeeper:
    def __init__(self, db: Database, clock: Clock, interval: float = 600.0) -> None:
        self._db = db
        self._clock = clock
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> dict[str, int]:
        """Delete what has expired; return how many rows per table."""
        now = {"now": to_micros(self._clock.now())}
        removed = {}
        with storage("clean up expired rows"), self._db.transaction() as conn:
            for table, condition in _EXPIRED:
                removed[table] = conn.execute(f"DELETE FROM {table} WHERE {condition}", now).rowcount
        return removed

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                removed = self.run_once()
            except StorageUnavailable:
                log.exception("housekeeping failed; trying again later")
                continue
            if any(removed.values()):
                log.info("housekeeping removed %s", removed)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="smartdoor-housekeeping", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
