"""In-memory repositories and stores; a lock makes each operation atomic like its SQL or DynamoDB twin."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from smartdoor.domain.descriptors import checked_descriptor
from smartdoor.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PasscodeCollision,
    StorageUnavailable,
)
from smartdoor.domain.model import (
    BoundingBox,
    DetectedFace,
    DoorEvent,
    FaceMatch,
    FaceOwner,
    OwnedFace,
    Page,
    Passcode,
    Photo,
    Sighting,
    SightingStatus,
    Visitor,
)
from smartdoor.domain.windows import window_key, window_start
from smartdoor.ports import Admission, AttemptRule, ThrottleRule

T = TypeVar("T")


def _page(items: list[T], limit: int, next_token: str | None) -> Page[T]:
    try:
        start = int(next_token) if next_token else 0
    except ValueError as exc:
        raise InvalidInput("nextToken", "nextToken is not one this server gave out.") from exc
    end = start + limit
    return Page(tuple(items[start:end]), str(end) if end < len(items) else None)


class MemoryVisitors:
    def __init__(self) -> None:
        self.items: dict[str, Visitor] = {}
        self._lock = threading.RLock()  # re-entrant: MemoryRegistrations holds it across a unit
        self.fail_adds = False  # set to simulate a store that refuses writes

    def add(self, visitor: Visitor) -> None:
        with self._lock:
            if self.fail_adds:
                raise StorageUnavailable("visitor store unreachable")
            self.items[visitor.id] = visitor

    def get(self, visitor_id: str) -> Visitor | None:
        return self.items.get(visitor_id)

    def get_by_face(self, face_id: str) -> Visitor | None:
        return next((v for v in self.items.values() if v.face_id == face_id), None)

    def add_photo(self, visitor_id: str, photo: Photo) -> None:
        with self._lock:
            visitor = self.items.get(visitor_id)
            if visitor is not None:
                self.items[visitor_id] = replace(visitor, photos=(*visitor.photos, photo))

    def list(self, limit: int, next_token: str | None) -> Page[Visitor]:
        ordered = sorted(self.items.values(), key=lambda v: (v.created_at, v.id), reverse=True)
        return _page(ordered, limit, next_token)

    def delete(self, visitor_id: str) -> Visitor | None:
        with self._lock:
            return self.items.pop(visitor_id, None)


class MemorySightings:
    def __init__(self) -> None:
        self.items: dict[str, Sighting] = {}
        self._lock = threading.RLock()  # re-entrant: MemoryRegistrations holds it across a unit

    def add(self, sighting: Sighting) -> None:
        with self._lock:
            self.items[sighting.id] = sighting

    def get(self, sighting_id: str) -> Sighting | None:
        return self.items.get(sighting_id)

    def list(self, status: SightingStatus | None, limit: int, next_token: str | None) -> Page[Sighting]:
        chosen = [s for s in self.items.values() if status is None or s.status is status]
        chosen.sort(key=lambda s: (s.created_at, s.id), reverse=True)
        return _page(chosen, limit, next_token)

    def transition(
        self,
        sighting_id: str,
        allowed_from: frozenset[SightingStatus],
        to: SightingStatus,
        decided_at: datetime,
        visitor_id: str | None = None,
    ) -> Sighting:
        with self._lock:
            current = self.items.get(sighting_id)
            if current is None:
                raise NotFound(f"No sighting {sighting_id!r}.")
            if current.status not in allowed_from:
                raise Conflict(f"This visitor was already handled: {current.status.value.lower()}.")
            moved = replace(
                current, status=to, decided_at=decided_at, visitor_id=visitor_id or current.visitor_id
            )
            self.items[sighting_id] = moved
            return moved


class MemoryPasscodes:
    def __init__(self) -> None:
        self.items: dict[str, Passcode] = {}
        self._lock = threading.RLock()  # re-entrant: MemoryRegistrations holds it across a unit

    def add(self, passcode: Passcode, now: datetime) -> None:
        with self._lock:
            existing = self.items.get(passcode.code_hash)
            if existing is not None and existing.is_live(now):
                raise PasscodeCollision("a live passcode has this code")
            self.items[passcode.code_hash] = passcode

    def consume(self, code_hash: str, now: datetime) -> Passcode | None:
        with self._lock:
            existing = self.items.get(code_hash)
            if existing is None or not existing.is_live(now):
                return None  # an expired row stays, as a lazy TTL would leave it
            del self.items[code_hash]
            return existing


class MemoryThrottle:
    def __init__(self) -> None:
        self.windows: dict[str, tuple[int, datetime]] = {}  # window key → (count, window end)
        self._lock = threading.RLock()  # re-entrant: MemoryRegistrations holds it across a unit

    def acquire(self, key: str, limit: int, window: timedelta, now: datetime) -> bool:
        return self.acquire_all([ThrottleRule(key, limit, window)], now)

    def acquire_all(self, rules: Sequence[ThrottleRule], now: datetime) -> bool:
        with self._lock:
            updated = {}
            for rule in rules:
                key = window_key(rule.key, now, rule.window)
                count, ends = self.windows.get(key, (0, window_start(now, rule.window) + rule.window))
                if count >= rule.limit:
                    return False
                updated[key] = (count + 1, ends)
            self.windows.update(updated)
            return True


@dataclass(frozen=True)
class AttemptRow:
    tries: int
    locked_until: datetime | None
    forget_at: datetime


class MemoryAttempts:
    def __init__(self) -> None:
        self.rows: dict[str, AttemptRow] = {}  # by client key: what a test inspects
        self._lock = threading.Lock()

    def begin(self, rules: Sequence[AttemptRule], now: datetime) -> Admission:
        with self._lock:
            locks = [row.locked_until for r in rules if (row := self.rows.get(r.client)) is not None]
            refused = [until for until in locks if until is not None and until > now]
            if refused:
                return Admission(False, max(refused))
            armed: list[datetime] = []
            for rule in rules:
                row = self.rows.get(rule.client)
                tries = row.tries + 1 if row is not None and row.forget_at > now else 1
                until = rule.lockout.lock_until(tries, now)
                kept = row.locked_until if row is not None else None
                locked = max(kept, until) if kept is not None and until is not None else kept or until
                if until is not None:
                    armed.append(until)
                self.rows[rule.client] = AttemptRow(tries, locked, (until or now) + rule.lockout.forget_after)
            return Admission(True, max(armed) if armed else None)

    def forgive(self, clients: Sequence[str]) -> None:
        with self._lock:
            for client in clients:
                self.rows.pop(client, None)


class MemoryClaims:
    def __init__(self) -> None:
        self.items: dict[str, datetime] = {}  # key → expires at; expired ones stay, as a lazy TTL's would
        self._lock = threading.RLock()  # re-entrant: MemoryRegistrations holds it across a unit

    def claim(self, key: str, expires_at: datetime, now: datetime) -> bool:
        with self._lock:
            held = self.items.get(key)
            if held is not None and held > now:
                return False
            self.items[key] = expires_at
            return True

    def extend(self, key: str, expires_at: datetime) -> None:
        with self._lock:
            if key in self.items:
                self.items[key] = expires_at

    def release(self, key: str) -> None:
        with self._lock:
            self.items.pop(key, None)


class MemoryFaceIndex:
    """Face ids, and descriptors only to tell who is alike: faces with equal descriptors are one person."""

    def __init__(self, ids: Iterable[str] | None = None) -> None:
        self.descriptors: dict[str, tuple[float, ...] | None] = {}  # every indexed face, by id
        self._ids = iter(ids) if ids is not None else None
        self._count = 0
        self._lock = threading.Lock()

    def index_face(self, face: DetectedFace, frame: bytes | None) -> str:
        if face.descriptor is not None:
            checked_descriptor(face.descriptor)  # refused as the local index refuses it
        with self._lock:
            self._count += 1
            face_id = next(self._ids) if self._ids is not None else f"face-{self._count}"
            self.descriptors[face_id] = face.descriptor
        return face_id

    def similar_faces(self, face_id: str, threshold: float) -> tuple[FaceMatch, ...]:
        with self._lock:
            known = dict(self.descriptors)
        mine = known.get(face_id)
        if mine is None:
            return ()
        return tuple(
            FaceMatch(other, 100.0) for other, theirs in known.items() if other != face_id and theirs == mine
        )

    def delete(self, face_ids: Iterable[str]) -> None:
        with self._lock:
            for face_id in face_ids:
                self.descriptors.pop(face_id, None)


class MemoryFaceOwners:
    def __init__(self) -> None:
        self.items: dict[str, OwnedFace] = {}  # by face id: what a test inspects
        self._lock = threading.RLock()  # re-entrant: MemoryRegistrations holds it across a unit

    def add(self, owned: OwnedFace) -> None:
        with self._lock:
            if owned.face_id in self.items:
                raise Conflict(f"face {owned.face_id} has an owner already")
            self.items[owned.face_id] = owned

    def get(self, face_id: str) -> OwnedFace | None:
        return self.items.get(face_id)

    def labels(self) -> dict[str, str]:
        """For assertions: each face's owner as ``sighting-<id>`` or ``visitor-<id>``."""
        with self._lock:
            return {f: f"{o.owner.kind.value.lower()}-{o.owner.id}" for f, o in self.items.items()}

    def give(self, face_id: str, to: FaceOwner, expected: FaceOwner) -> None:
        with self._lock:
            current = self.items.get(face_id)
            if current is None or current.owner != expected:
                raise Conflict(f"face {face_id} is no longer {expected.kind.value.lower()} {expected.id}'s")
            self.items[face_id] = replace(current, owner=to, settled=True)

    def faces_of(self, owner: FaceOwner) -> tuple[str, ...]:
        with self._lock:
            return tuple(sorted(f for f, owned in self.items.items() if owned.owner == owner))

    def settle_first(self, face_id: str, rivals: Sequence[str]) -> bool:
        with self._lock:
            mine = self.items.get(face_id)
            if mine is None or mine.settled:
                return False
            others = [o for r in rivals if (o := self.items.get(r)) is not None]
            if any(o.settled for o in others):
                return False
            for other in others:
                del self.items[other.face_id]
            self.items[face_id] = replace(mine, settled=True)
            return True

    def delete(self, face_ids: Iterable[str]) -> None:
        with self._lock:
            for face_id in face_ids:
                self.items.pop(face_id, None)


class MemoryPhotos:
    def __init__(self, bucket: str = "memory") -> None:
        self.objects: dict[str, bytes] = {}
        self.bucket = bucket
        self.kept: set[str] = set()  # keys exempted from the purge (keep)
        self.fail_keeps = False  # set to simulate S3 refusing the tag change

    def put(self, key: str, data: bytes, content_type: str, now: datetime) -> Photo:
        self.objects[key] = data
        self.kept.discard(key)  # a new object, not yet kept: as on S3, where the put tags it unregistered
        return Photo(object_key=key, bucket=self.bucket, created_timestamp=now)

    def url(self, photo: Photo) -> str:
        return f"memory://{photo.bucket}/{photo.object_key}"

    def delete(self, photo: Photo) -> None:
        self.objects.pop(photo.object_key, None)

    def keep(self, photo: Photo) -> None:
        if self.fail_keeps:
            raise StorageUnavailable("photo store unreachable")
        self.kept.add(photo.object_key)


class MemoryFrames:
    def __init__(self) -> None:
        self.frames: dict[tuple[str, datetime], bytes] = {}

    def frame_at(self, camera_id: str, at: datetime) -> bytes | None:
        return self.frames.get((camera_id, at))


class MemoryEventLog:
    def __init__(self) -> None:
        self.events: list[DoorEvent] = []

    def record(self, event: DoorEvent) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        """Oldest first: what happened, in order, for assertions."""
        return [e.kind.value for e in self.events]

    def list(self, limit: int, next_token: str | None) -> Page[DoorEvent]:
        ordered = sorted(self.events, key=lambda e: (e.at, e.id), reverse=True)
        return _page(ordered, limit, next_token)


class MemoryCropper:
    """Marks what it was asked to crop, so a test sees which frame and box became the face photo."""

    def crop(self, frame: bytes, box: BoundingBox) -> bytes | None:
        return b"face-of:" + frame
