"""Entities and value objects of the door."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


class SightingStatus(enum.StrEnum):
    PENDING = "PENDING"  # an unknown face, waiting for the owner
    APPROVED = "APPROVED"  # the owner said yes; registration not done yet
    DENIED = "DENIED"  # the owner said no; the face stays quiet for a cooldown
    REGISTERED = "REGISTERED"  # approved and registered: it became a visitor
    KNOWN = "KNOWN"  # a registered visitor came back


class AccessDecision(enum.StrEnum):
    APPROVE = "APPROVE"
    DENY = "DENY"


@dataclass(frozen=True)
class Photo:
    """A stored photo, in the seed's shape (S3 object or local file)."""

    object_key: str
    bucket: str
    created_timestamp: datetime


@dataclass(frozen=True)
class Visitor:
    id: str
    face_id: str
    name: str
    phone_number: str
    photos: tuple[Photo, ...]
    created_at: datetime


@dataclass(frozen=True)
class Sighting:
    id: str
    face_id: str
    camera_id: str
    status: SightingStatus
    created_at: datetime
    photo: Photo | None = None  # the whole frame: who else was there, what they carried
    visitor_id: str | None = None
    decided_at: datetime | None = None
    face_photo: Photo | None = None  # the face alone, for a glance at the console


@dataclass(frozen=True)
class Passcode:
    """A one-time passcode as stored: only the keyed hash of the code, never the code."""

    code_hash: str
    visitor_id: str
    created_at: datetime
    expires_at: datetime

    def is_live(self, now: datetime) -> bool:
        # Checked on every read: storage TTLs delete lazily, so an expired row may still be there.
        return now < self.expires_at


@dataclass(frozen=True)
class BoundingBox:
    """Relative to the frame, as Rekognition writes it (0..1)."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class FaceMatch:
    face_id: str
    similarity: float  # percent, 0..100
    external_image_id: str | None = None  # what a record carries; who the face is, is FaceOwners' to say


class OwnerKind(enum.Enum):
    SIGHTING = "SIGHTING"  # a stranger's face, waiting for the owner (or decided about)
    VISITOR = "VISITOR"


@dataclass(frozen=True)
class FaceOwner:
    """Who a face is: a sighting (a stranger) or a visitor."""

    kind: OwnerKind
    id: str

    @classmethod
    def sighting(cls, sighting_id: str) -> FaceOwner:
        return cls(OwnerKind.SIGHTING, sighting_id)

    @classmethod
    def visitor(cls, visitor_id: str) -> FaceOwner:
        return cls(OwnerKind.VISITOR, visitor_id)


@dataclass(frozen=True)
class OwnedFace:
    """Whose an indexed face is. ``settled`` False: a new stranger's face still contesting its visit with
    other frames of the same person (FaceOwners.settle_first); every other face is settled."""

    face_id: str
    owner: FaceOwner
    indexed_at: datetime
    settled: bool = True


@dataclass(frozen=True)
class DetectedFace:
    bounding_box: BoundingBox
    confidence: float
    matches: tuple[FaceMatch, ...] = ()
    # A local analyser may carry the face descriptor so the local index can store it; AWS records never do.
    descriptor: tuple[float, ...] | None = None

    def best_match(self) -> FaceMatch | None:
        return max(self.matches, key=lambda m: m.similarity, default=None)


@dataclass(frozen=True)
class FaceEvent:
    """One analysed frame: where and when it was seen, and the faces in it."""

    camera_id: str
    frame_time: datetime
    faces: tuple[DetectedFace, ...] = field(default_factory=tuple)
    # Which frame this is, the same on every delivery (stream, fragment, offset); None for a hand-made
    # record, which nothing re-delivers. Each face's identity is this plus its place in the record.
    event_id: str | None = None

    def face_keys(self) -> tuple[str | None, ...]:
        return tuple(f"{self.event_id}/{n}" if self.event_id else None for n in range(len(self.faces)))


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    # Inline images referenced from the HTML as cid:<name>.
    inline_images: tuple[tuple[str, bytes], ...] = ()
    # Its outbox id, derived from the unit of work that queues it (domain/message_keys.py), so a retried
    # unit queues nothing twice; None: the outbox gives it a fresh id.
    key: str | None = None


@dataclass(frozen=True)
class Sms:
    phone_number: str
    text: str
    key: str | None = None  # as Email.key


class DoorEventKind(enum.StrEnum):
    NEW_FACE = "NEW_FACE"  # a stranger arrived; the owner was asked
    VISITOR_ARRIVED = "VISITOR_ARRIVED"  # a registered visitor came back
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    REGISTERED = "REGISTERED"
    CODE_SENT = "CODE_SENT"
    CODE_HELD_BACK = "CODE_HELD_BACK"  # the phone's SMS limit was reached
    DOOR_OPENED = "DOOR_OPENED"
    ACCESS_DENIED = "ACCESS_DENIED"  # a wrong, expired or used code at the door
    LOCKED_OUT = "LOCKED_OUT"  # a door client made too many wrong tries
    VISITOR_FORGOTTEN = "VISITOR_FORGOTTEN"
    SEEN_LATE = "SEEN_LATE"  # a face event that arrived too late to act on: recorded, nothing sent


@dataclass(frozen=True)
class DoorEvent:
    """One line of the owner's timeline. Never holds a passcode or a client's address."""

    id: str
    kind: DoorEventKind
    at: datetime
    sighting_id: str | None = None
    visitor_id: str | None = None
    camera_id: str | None = None
    visitor_name: str | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and the opaque token for the next one."""

    items: tuple[T, ...]
    next_token: str | None
