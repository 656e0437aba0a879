"""The local FaceIndex: descriptors persisted in SQLite, searched in memory as one numpy matrix.

The matrix groups faces by owner (from face_owners, in the same database) for the search's margin rule:
a visitor's several faces are one identity, not rivals. Who a match is stays FaceOwners' to say.

Writes go to SQLite first (the truth) and then, once committed, to the matrix. A version row, bumped by
every write, lets the server notice faces added by another process (``smartdoor enroll``) and reload before
its next search.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt

from smartdoor.adapters.local.database import Database, to_micros
from smartdoor.adapters.local.descriptor_matrix import DescriptorMatrix, SearchResult, SearchSettings
from smartdoor.domain.descriptors import checked_descriptor, descriptor_problem
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.model import DetectedFace, FaceMatch
from smartdoor.ports import Clock, IdGenerator

log = logging.getLogger(__name__)


def _bump_version(conn: sqlite3.Connection) -> int:
    """Mark the faces changed (inside the writer's transaction) and return the new version."""
    row = conn.execute("UPDATE faces_version SET version = version + 1 RETURNING version").fetchone()
    return int(row[0])


class LocalFaceIndex:
    def __init__(
        self, db: Database, ids: IdGenerator, clock: Clock, settings: SearchSettings | None = None
    ) -> None:
        self._db = db
        self._ids = ids
        self._clock = clock
        self.matrix = DescriptorMatrix(settings)
        self._loaded_version: int | None = None  # None: not loaded yet
        self._lock = threading.Lock()
        self._reported: set[str] = set()  # bad rows already logged: reloads are frequent, logs not

    # --- ports.FaceIndex ---------------------------------------------------------------------------

    def index_face(self, face: DetectedFace, frame: bytes | None) -> str:
        # Checked before it is stored: one bad row used to break every later search, restarts included.
        checked = checked_descriptor(face.descriptor) if face.descriptor is not None else None
        face_id = self._ids.new_id()
        descriptor = np.asarray(checked, dtype=np.float32) if checked is not None else None
        blob = descriptor.tobytes() if descriptor is not None else None
        sql = "INSERT INTO faces (face_id, descriptor, created_at) VALUES (?, ?, ?)"
        version = self._write([(sql, (face_id, blob, to_micros(self._clock.now())))])
        if descriptor is not None:
            # No owner yet: its own identity until FaceOwners records one (which reloads the matrix).
            self._apply(version, lambda: self.matrix.add(face_id, face_id, descriptor))
        else:
            self._apply(version, lambda: None)
        return face_id

    def delete(self, face_ids: Iterable[str]) -> None:
        doomed = set(face_ids)
        version = self._write([("DELETE FROM faces WHERE face_id = ?", (face_id,)) for face_id in doomed])
        self._apply(version, lambda: self.matrix.delete(doomed))

    def regroup(self, version: int, identities: dict[str, str]) -> None:
        """FaceOwners changed these faces' owners in the write that made ``version``: mirror it in the
        matrix without a reload (a reload reads every descriptor)."""

        def change() -> None:
            for face_id, identity in identities.items():
                self.matrix.relabel(face_id, identity)

        self._apply(version, change)

    # --- search (the local analyser's) -------------------------------------------------------------

    def similar_faces(self, face_id: str, threshold: float) -> tuple[FaceMatch, ...]:
        self._refresh()
        return tuple(self.matrix.alike(face_id, threshold))

    def search(self, descriptor: npt.ArrayLike) -> SearchResult:
        self._refresh()
        return self.matrix.search(descriptor)

    # --- internals ---------------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Reload first when any process changed the faces since the last load."""
        with self._lock:
            current = self._version()
            if current != self._loaded_version:
                self._reload(current)

    def _version(self) -> int:
        return int(self._db.connection().execute("SELECT version FROM faces_version").fetchone()[0])

    def _reload(self, version: int) -> None:
        rows = self._db.connection().execute(
            # The identity as sqlite_face_owners.identity() makes it: kind:id, or the face alone.
            "SELECT faces.face_id, COALESCE(owner_kind || ':' || owner_id, faces.face_id), descriptor"
            " FROM faces LEFT JOIN face_owners ON face_owners.face_id = faces.face_id"
            " WHERE descriptor IS NOT NULL ORDER BY faces.rowid"
        )
        usable = []
        for face_id, identity, blob in rows:
            descriptor = self._usable(face_id, blob)
            if descriptor is not None:
                usable.append((face_id, identity, descriptor))
        self.matrix.load(usable)
        self._loaded_version = version

    def _usable(self, face_id: str, blob: object) -> npt.NDArray[np.float32] | None:
        """The stored descriptor, or None (reported once per row) when no search could use it."""
        problem = None
        if not isinstance(blob, bytes) or len(blob) % 4:
            problem = "is not float32 values"
        else:
            descriptor = np.frombuffer(blob, dtype=np.float32)
            problem = descriptor_problem(descriptor.tolist())
        if problem is None:
            return descriptor
        if face_id not in self._reported:
            self._reported.add(face_id)
            log.warning("face %s is left out of the search: its stored descriptor %s", face_id, problem)
        return None

    def _write(self, statements: list[tuple[str, tuple[object, ...]]]) -> int:
        """Run the statements and bump the version in one transaction; return the new version."""
        try:
            with self._db.transaction() as conn:
                for sql, params in statements:
                    conn.execute(sql, params)
                return _bump_version(conn)
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"could not update the face index: {exc}") from exc

    def _apply(self, version: int, change: Callable[[], None]) -> None:
        """Mirror our own write in the matrix when it is the only change since the last load. Inside a
        caller's transaction (a registration) only once that commits: a rollback must not linger here."""
        self._db.after_commit(lambda: self._mirror(version, change))

    def _mirror(self, version: int, change: Callable[[], None]) -> None:
        with self._lock:
            if self._loaded_version is not None and version == self._loaded_version + 1:
                change()
                self._loaded_version = version
            # Otherwise another process wrote too (or nothing is loaded yet): the next search reloads.
