"""The local SQLite database: one file in the data folder, WAL, a connection per thread, migrations."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from smartdoor.domain.errors import StorageUnavailable

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def to_micros(at: datetime) -> int:
    """Times are stored as integer microseconds since the epoch: exact, and ordered as numbers."""
    return (at - _EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    return _EPOCH + value * _MICRO


# Each entry moves the schema one version forward; never edit one that has shipped, add another.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE visitors (
        id TEXT PRIMARY KEY,
        face_id TEXT NOT NULL,
        name TEXT NOT NULL,
        phone_number TEXT NOT NULL,
        photos TEXT NOT NULL DEFAULT '[]',          -- JSON list of {objectKey, bucket, createdTimestamp}
        created_at INTEGER NOT NULL
    );
    CREATE INDEX visitors_by_face ON visitors (face_id);
    CREATE INDEX visitors_by_created ON visitors (created_at DESC, id DESC);

    CREATE TABLE sightings (
        id TEXT PRIMARY KEY,
        face_id TEXT NOT NULL,
        camera_id TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        photo TEXT,                                  -- JSON {objectKey, bucket, createdTimestamp} or NULL
        visitor_id TEXT,
        decided_at INTEGER,
        face_photo TEXT                              -- the face cut out of the frame, JSON like photo
    );
    CREATE INDEX sightings_by_created ON sightings (created_at DESC, id DESC);
    CREATE INDEX sightings_by_status ON sightings (status, created_at DESC, id DESC);

    CREATE TABLE passcodes (
        code_hash TEXT PRIMARY KEY,                  -- HMAC of the code; the code itself is never stored
        visitor_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );

    CREATE TABLE throttle (
        key TEXT PRIMARY KEY,
        count INTEGER NOT NULL,
        window_end INTEGER NOT NULL
    );

    CREATE TABLE attempts (
        client TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until INTEGER,
        forget_at INTEGER NOT NULL
    );

    CREATE TABLE faces (
        face_id TEXT PRIMARY KEY,
        external_id TEXT NOT NULL,
        descriptor BLOB,                             -- float32 x 128 from the local analyser, when known
        created_at INTEGER NOT NULL
    );
    CREATE INDEX faces_by_external ON faces (external_id);
    -- Bumped by every change to faces, so a process (the server) notices another's (smartdoor enroll).
    CREATE TABLE faces_version (version INTEGER NOT NULL);
    INSERT INTO faces_version (version) VALUES (0);

    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('email', 'sms')),
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        body_text TEXT NOT NULL,
        body_html TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'stored',       -- stored | sent | failed (SMTP delivery of emails)
        error TEXT,
        tries INTEGER NOT NULL DEFAULT 0,
        next_try_at INTEGER                          -- a failed email is not retried before this
    );
    CREATE INDEX outbox_pending ON outbox (kind, status, id);
    -- New sightings, for the console subscriptions of every server process (--workers): each process
    -- follows this feed and pushes what it finds to its own websocket subscribers.
    CREATE TABLE sighting_feed (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        sighting_id TEXT NOT NULL,
        at INTEGER NOT NULL
    );

    CREATE TABLE door_events (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        sighting_id TEXT,
        visitor_id TEXT,
        camera_id TEXT,
        visitor_name TEXT
    );
    CREATE INDEX door_events_by_time ON door_events (at DESC, id DESC);

    CREATE TABLE outbox_images (
        message_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
        cid TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (message_id, cid)
    );
    """,
    """
    -- Once-only claims (a face event's identity); housekeeping deletes expired ones.
    CREATE TABLE claims (
        key TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX claims_by_expiry ON claims (expires_at);
    """,
    """
    -- The mail worker claims an email before it delivers it (one worker per email, several processes),
    -- and a claim lapses at claimed_until, so an email a dead worker held is delivered by the next.
    ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
    ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
    """,
    """
    -- Whose each face is: identity leaves the face index's labels (Rekognition cannot change an
    -- ExternalImageId) for rows changed conditionally. Today's labels become the first rows.
    CREATE TABLE face_owners (
        face_id TEXT PRIMARY KEY,
        owner_kind TEXT NOT NULL CHECK (owner_kind IN ('SIGHTING', 'VISITOR')),
        owner_id TEXT NOT NULL,
        indexed_at INTEGER NOT NULL,
        settled INTEGER NOT NULL DEFAULT 1         -- 0: a new stranger's face still contesting its visit
    );
    CREATE INDEX face_owners_by_owner ON face_owners (owner_kind, owner_id);
    INSERT INTO face_owners (face_id, owner_kind, owner_id, indexed_at)
        SELECT face_id, 'SIGHTING', substr(external_id, 10), created_at FROM faces
        WHERE substr(external_id, 1, 9) = 'sighting-' AND length(external_id) > 9;
    INSERT INTO face_owners (face_id, owner_kind, owner_id, indexed_at)
        SELECT face_id, 'VISITOR', substr(external_id, 9), created_at FROM faces
        WHERE substr(external_id, 1, 8) = 'visitor-' AND length(external_id) > 8;
    -- An unlabelled face that is a visitor's faceId was found through the visitor before: still theirs.
    INSERT OR IGNORE INTO face_owners (face_id, owner_kind, owner_id, indexed_at)
        SELECT faces.face_id, 'VISITOR', visitors.id, faces.created_at
        FROM faces JOIN visitors ON visitors.face_id = faces.face_id;
    DROP INDEX faces_by_external;
    ALTER TABLE faces DROP COLUMN external_id;
    UPDATE faces_version SET version = version + 1;
    """,
    """
    -- A message's id derived from the unit of work that queued it (email:sighting:<id>, ...): queueing it
    -- again is a no-op, so a retried unit sends nothing twice. NULL for messages without one (unique
    -- indexes let NULLs repeat); the integer id stays what the outbox pages show.
    ALTER TABLE outbox ADD COLUMN message_key TEXT;
    CREATE UNIQUE INDEX outbox_by_key ON outbox (message_key);
    """,
)


def _statements(script: str) -> Iterator[str]:
    # executescript() would COMMIT first and break the migration's transaction, so split it here.
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {pending.strip()[:60]}")


class Database:
    """Hands each thread its own connection to one SQLite file."""

    def __init__(self, path: Path, busy_timeout_ms: int = 5000) -> None:
        self.path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # Autocommit mode: single statements are atomic; multi-statement work uses transaction().
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable across app crashes
            conn.execute("PRAGMA foreign_keys = ON")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: take the write lock up front so two writers never deadlock on upgrade.

        Inside another transaction of this thread it is a SAVEPOINT instead: its writes commit with the
        outer transaction, and a failure inside undoes only them. So a unit of work (a registration) can
        call adapters that keep their own guarantees with their own transactions.
        """
        conn = self.connection()
        if conn.in_transaction:
            with self._savepoint(conn):
                yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            # Also after a failed COMMIT: never leave this thread's connection inside a transaction.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._pending().clear()
            raise
        actions, self._local.after_commit = self._pending(), []
        for action in actions:
            action()

    @contextmanager
    def _savepoint(self, conn: sqlite3.Connection) -> Iterator[None]:
        queued = len(self._pending())
        conn.execute("SAVEPOINT nested")  # the innermost of equal names is the one released or rolled back
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
            del self._pending()[queued:]
            raise
        conn.execute("RELEASE nested")

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once this thread's transaction commits (now, outside one); never if it rolls back.
        For in-memory mirrors of rows, which must not show what a rollback undid."""
        if self.connection().in_transaction:
            self._pending().append(action)
        else:
            action()

    def _pending(self) -> list[Callable[[], None]]:
        pending: list[Callable[[], None]] | None = getattr(self._local, "after_commit", None)
        if pending is None:
            pending = self._local.after_commit = []
        return pending

    def migrate(self) -> int:
        """Bring the schema to the newest version; return it. Safe to run at every start."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            current = row[0] if row else 0
            if current > len(MIGRATIONS):
                raise RuntimeError(
                    f"{self.path} has schema version {current}, newer than this Smart Door "
                    f"({len(MIGRATIONS)}): upgrade Smart Door"
                )
            for script in MIGRATIONS[current:]:
                for statement in _statements(script):
                    conn.execute(statement)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (len(MIGRATIONS),))
        return len(MIGRATIONS)

    def ping(self, timeout: float = 1.0) -> None:
        """Check that the file answers a read now; raise StorageUnavailable if not.

        On a fresh read-only connection: a thread's long-lived one could still read a file that has since
        been deleted or broken, and read-only never creates an empty database where ours went missing.
        """
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
            try:
                conn.execute("SELECT version FROM schema_version").fetchone()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"the database {self.path} does not answer: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
