"""Whose each face is, in SQLite: every change one conditional statement (or one transaction for a contest).

Every change bumps the face index's version too: the local search groups faces by owner for its margin
rule (a visitor's faces are one identity), so another process's owner change reloads it as a face change
does, and this process's own is mirrored in its matrix (LocalFaceIndex.regroup).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from smartdoor.adapters.local.database import Database, from_micros, to_micros
from smartdoor.adapters.local.face_index import LocalFaceIndex
from smartdoor.adapters.local.sqlite_rows import storage
from smartdoor.domain.errors import Conflict
from smartdoor.domain.model import FaceOwner, OwnedFace, OwnerKind

_BUMP = "UPDATE faces_version SET version = version + 1 RETURNING version"


def _owned(row: sqlite3.Row | tuple[str, str, str, int, int]) -> OwnedFace:
    face_id, kind, owner_id, indexed_at, settled = row
    return OwnedFace(face_id, FaceOwner(OwnerKind(kind), owner_id), from_micros(indexed_at), bool(settled))


def identity(owner: FaceOwner | None, face_id: str) -> str:
    """The local search's group for a face: its owner, or the face alone while it has none."""
    return f"{owner.kind.value}:{owner.id}" if owner is not None else face_id


class SqliteFaceOwners:
    def __init__(self, db: Database, index: LocalFaceIndex | None = None) -> None:
        self._db = db
        self._index = index  # the process's own search, told of each change

    def _changed(self, conn: sqlite3.Connection, identities: dict[str, str]) -> None:
        version = int(conn.execute(_BUMP).fetchone()[0])
        if self._index is not None:
            self._index.regroup(version, identities)

    def add(self, owned: OwnedFace) -> None:
        sql = (
            "INSERT INTO face_owners (face_id, owner_kind, owner_id, indexed_at, settled)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (face_id) DO NOTHING RETURNING face_id"
        )
        params = (
            owned.face_id,
            owned.owner.kind.value,
            owned.owner.id,
            to_micros(owned.indexed_at),
            int(owned.settled),
        )
        with storage("record whose face this is"), self._db.transaction() as conn:
            if conn.execute(sql, params).fetchone() is None:
                raise Conflict(f"face {owned.face_id} has an owner already")
            self._changed(conn, {owned.face_id: identity(owned.owner, owned.face_id)})

    def get(self, face_id: str) -> OwnedFace | None:
        sql = "SELECT face_id, owner_kind, owner_id, indexed_at, settled FROM face_owners WHERE face_id = ?"
        with storage("read whose face this is"):
            row = self._db.connection().execute(sql, (face_id,)).fetchone()
        return _owned(row) if row else None

    def give(self, face_id: str, to: FaceOwner, expected: FaceOwner) -> None:
        sql = (
            "UPDATE face_owners SET owner_kind = ?, owner_id = ?, settled = 1"
            " WHERE face_id = ? AND owner_kind = ? AND owner_id = ? RETURNING face_id"
        )
        params = (to.kind.value, to.id, face_id, expected.kind.value, expected.id)
        with storage("give a face to its owner"), self._db.transaction() as conn:
            if conn.execute(sql, params).fetchone() is None:
                raise Conflict(f"face {face_id} is no longer {expected.kind.value.lower()} {expected.id}'s")
            self._changed(conn, {face_id: identity(to, face_id)})

    def faces_of(self, owner: FaceOwner) -> tuple[str, ...]:
        sql = "SELECT face_id FROM face_owners WHERE owner_kind = ? AND owner_id = ? ORDER BY face_id"
        with storage("list an owner's faces"):
            rows = self._db.connection().execute(sql, (owner.kind.value, owner.id)).fetchall()
        return tuple(row[0] for row in rows)

    def settle_first(self, face_id: str, rivals: Sequence[str]) -> bool:
        marks = ", ".join("?" * len(rivals))
        with storage("settle a new face"), self._db.transaction() as conn:
            mine = conn.execute("SELECT settled FROM face_owners WHERE face_id = ?", (face_id,)).fetchone()
            if mine is None or mine[0]:
                return False  # dropped by a rival that won, or settled already
            if rivals:
                won = f"SELECT 1 FROM face_owners WHERE settled = 1 AND face_id IN ({marks})"
                if conn.execute(won, tuple(rivals)).fetchone() is not None:
                    return False
                conn.execute(
                    f"DELETE FROM face_owners WHERE settled = 0 AND face_id IN ({marks})", tuple(rivals)
                )
            conn.execute("UPDATE face_owners SET settled = 1 WHERE face_id = ?", (face_id,))
            conn.execute(_BUMP)
        return True

    def delete(self, face_ids: Iterable[str]) -> None:
        doomed = [(face_id,) for face_id in set(face_ids)]
        with storage("forget whose faces these were"), self._db.transaction() as conn:
            conn.executemany("DELETE FROM face_owners WHERE face_id = ?", doomed)
            self._changed(conn, {f: f for (f,) in doomed})
