"""The ports: what the core needs from the world, one small role each.

Every operation keeps its guarantee on its own (uniqueness, single use, claims), so a DynamoDB adapter can
match it with one conditional write and a SQLite adapter with one statement; a registration, which must be
all or nothing, is one unit of work (one TransactWriteItems, one SQLite transaction). Adapters raise domain
errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from smartdoor.domain.lockout import LockoutPolicy
from smartdoor.domain.model import (
    BoundingBox,
    DetectedFace,
    DoorEvent,
    Email,
    FaceMatch,
    FaceOwner,
    OwnedFace,
    Page,
    Passcode,
    Photo,
    Sighting,
    SightingStatus,
    Sms,
    Visitor,
)


class Clock(Protocol):
    """Tells the time (UTC, aware)."""

    def now(self) -> datetime: ...


class IdGenerator(Protocol):
    """Makes new unique ids for visitors, sightings and link nonces."""

    def new_id(self) -> str: ...


class VisitorRepository(Protocol):
    """Registered visitors, by id and by face."""

    def add(self, visitor: Visitor) -> None: ...
    def get(self, visitor_id: str) -> Visitor | None: ...
    def get_by_face(self, face_id: str) -> Visitor | None: ...
    def add_photo(self, visitor_id: str, photo: Photo) -> None: ...
    def list(self, limit: int, next_token: str | None) -> Page[Visitor]: ...
    def delete(self, visitor_id: str) -> Visitor | None: ...


class SightingRepository(Protocol):
    """Faces the door has seen, newest first."""

    def add(self, sighting: Sighting) -> None: ...
    def get(self, sighting_id: str) -> Sighting | None: ...
    def list(self, status: SightingStatus | None, limit: int, next_token: str | None) -> Page[Sighting]: ...

    def transition(
        self,
        sighting_id: str,
        allowed_from: frozenset[SightingStatus],
        to: SightingStatus,
        decided_at: datetime,
        visitor_id: str | None = None,
    ) -> Sighting:
        """Move to ``to`` only from one of ``allowed_from`` (atomic); else raise Conflict or NotFound."""
        ...


class PasscodeStore(Protocol):
    """Live one-time passcodes, keyed by their keyed hash."""

    def add(self, passcode: Passcode, now: datetime) -> None:
        """Store it unless a live passcode has the same hash: then raise PasscodeCollision."""
        ...

    def consume(self, code_hash: str, now: datetime) -> Passcode | None:
        """Delete and return the live passcode with this hash, atomically: one caller wins."""
        ...


@dataclass(frozen=True)
class ThrottleRule:
    key: str
    limit: int
    window: timedelta


class Throttle(Protocol):
    """Counts events per key in fixed windows floored from the epoch (`<key>@<window start>`), so each
    count is one conditional increment (count < limit); up to twice the limit fit across a window boundary."""

    def acquire(self, key: str, limit: int, window: timedelta, now: datetime) -> bool:
        """Count one event if fewer than ``limit`` were counted in the window holding ``now``; atomic."""
        ...

    def acquire_all(self, rules: Sequence[ThrottleRule], now: datetime) -> bool:
        """Count one event under every rule, or under none if any rule is full (all-or-nothing, atomic)."""
        ...


@dataclass(frozen=True)
class AttemptRule:
    """A key the door counts tries under (a device, an address) and the lock-out that key earns."""

    client: str
    lockout: LockoutPolicy


@dataclass(frozen=True)
class Admission:
    """Refused: ``locked_until`` is when the client may try again. Admitted: the lock this try has armed,
    which holds if the code turns out wrong (None: no lock yet)."""

    admitted: bool
    locked_until: datetime | None


class ClientAttempts(Protocol):
    """Tries at the door per client key, counted before any code is looked at."""

    def begin(self, rules: Sequence[AttemptRule], now: datetime) -> Admission:
        """Refuse, changing nothing, while any key is locked; else count this try under every key and arm
        the lock it would earn if wrong, all or nothing and atomically.

        Per key: the count restarts after ``forget_after`` of quiet (counted from the end of the lock it
        armed); from the free tries on, ``locked_until = MAX(existing, now + base * 2**(tries - free))``,
        capped at the ceiling: a lock is only extended, never shortened by a late write. So concurrent
        tries cannot all pass before one of them records a failure.
        DynamoDB: expressions cannot double, so the adapter reads the keys (one TransactGetItems), refuses
        while one is locked, and writes every key's next state in one TransactWriteItems, each item
        conditioned on the version it read (a version, not the tries count: a count that restarted can
        equal an old one); a lost race (a failed condition, a transaction conflict) is read again.
        """
        ...

    def forgive(self, clients: Sequence[str]) -> None:
        """A right code: forget these keys' tries and armed locks."""
        ...


@dataclass(frozen=True)
class Claim:
    """A once-only claim to take: ``key`` held until ``expires_at``."""

    key: str
    expires_at: datetime


class Claims(Protocol):
    """Once-only claims on keys (a face event's identity, a link's nonce, a visit), each held until it
    expires.

    DynamoDB: claim is one PutItem with ``attribute_not_exists(key) OR expires_at <= :now`` (and a TTL),
    extend one UpdateItem, release one DeleteItem.
    """

    def claim(self, key: str, expires_at: datetime, now: datetime) -> bool:
        """Take ``key`` unless a live claim holds it (one conditional insert); True when taken."""
        ...

    def extend(self, key: str, expires_at: datetime) -> None:
        """Keep a claim this caller holds until ``expires_at``."""
        ...

    def release(self, key: str) -> None:
        """Give a claim back (the work it guarded failed), so a retry can take it."""
        ...


class FaceIndex(Protocol):
    """Faces the door can recognise, by face id only; who a face is belongs to FaceOwners."""

    def index_face(self, face: DetectedFace, frame: bytes | None) -> str:
        """Remember this face so later frames match it; return its new face id (Rekognition: IndexFaces)."""
        ...

    def similar_faces(self, face_id: str, threshold: float) -> tuple[FaceMatch, ...]:
        """Other indexed faces like this indexed one, similarity ≥ threshold (Rekognition: SearchFaces)."""
        ...

    def delete(self, face_ids: Iterable[str]) -> None: ...


class FaceOwners(Protocol):
    """Whose each indexed face is (a sighting's or a visitor's), by face id; every change is conditional.

    DynamoDB: the ``faces`` table (adapters/aws/tables.py), its ``byOwner`` index for ``faces_of``.
    """

    def add(self, owned: OwnedFace) -> None:
        """Record a new face's owner; Conflict if this face id has one (PutItem attribute_not_exists)."""
        ...

    def get(self, face_id: str) -> OwnedFace | None: ...

    def give(self, face_id: str, to: FaceOwner, expected: FaceOwner) -> None:
        """Make ``to`` the face's owner only while ``expected`` owns it (one conditional update); else
        Conflict, so a concurrent forget or a second registration cannot race it."""
        ...

    def faces_of(self, owner: FaceOwner) -> tuple[str, ...]:
        """The face ids this owner has (a visitor enrolled from several photos has several)."""
        ...

    def settle_first(self, face_id: str, rivals: Sequence[str]) -> bool:
        """Settle this unsettled face and drop the unsettled ``rivals``, unless a rival is settled already or
        this face was dropped: one transaction (TransactWriteItems); True when this face won its visit."""
        ...

    def delete(self, face_ids: Iterable[str]) -> None: ...


class PhotoStore(Protocol):
    """Private photo storage with short-lived links (S3 presigned URLs or signed local URLs)."""

    def put(self, key: str, data: bytes, content_type: str, now: datetime) -> Photo: ...
    def url(self, photo: Photo) -> str: ...
    def delete(self, photo: Photo) -> None: ...
    def keep(self, photo: Photo) -> None:
        """Exempt a stranger's snapshot from the purge of unregistered ones (S3: its tag set to registered);
        nothing where nothing purges. Idempotent; a photo already gone is no error."""
        ...


class FaceCropper(Protocol):
    """Cuts a face out of a frame (JPEG in, JPEG out); None when the frame cannot be read."""

    def crop(self, frame: bytes, box: BoundingBox) -> bytes | None: ...


class FrameSource(Protocol):
    """The camera frame at a time, when the event itself did not bring one (AWS: Kinesis Video GetImages)."""

    def frame_at(self, camera_id: str, at: datetime) -> bytes | None: ...


class FrameSearch(Protocol):
    """Every face of one frame with its matches (Rekognition: DetectFaces, then SearchFacesByImage each)."""

    def search_frame(self, frame: bytes, threshold: float) -> tuple[DetectedFace, ...]:
        """The faces, each with its matches of similarity ≥ threshold; BadFaceEvent for bytes that are no
        image the search can read."""
        ...


class FrameUploads(Protocol):
    """Frames the door devices uploaded (AWS: the photo bucket, under frames/), read by object key."""

    def read(self, key: str, max_bytes: int) -> bytes:
        """The object's bytes; NotFound when it is gone; BadFaceEvent when it is larger than ``max_bytes``,
        refused before its body is downloaded."""
        ...


class Mailer(Protocol):
    """Sends email to the owner."""

    def send(self, email: Email) -> None: ...


class SmsSender(Protocol):
    """Sends text messages to visitors."""

    def send(self, sms: Sms) -> None: ...


class EventLog(Protocol):
    """The door's timeline, newest first."""

    def record(self, event: DoorEvent) -> None: ...
    def list(self, limit: int, next_token: str | None) -> Page[DoorEvent]: ...


class SightingPublisher(Protocol):
    """Pushes a new sighting to the owner's live console."""

    def publish(self, sighting: Sighting) -> None: ...


@dataclass(frozen=True)
class PasscodeDelivery:
    """A new passcode and the SMS that carries it, counted under the phone's send limits."""

    passcode: Passcode
    sms: Sms
    limits: tuple[ThrottleRule, ...]


@dataclass(frozen=True)
class RegistrationUnit:
    """Everything one registration writes: one SQLite transaction, one DynamoDB TransactWriteItems."""

    sighting_id: str
    allowed_from: frozenset[SightingStatus]
    visitor: Visitor  # its face_id is the sighting's face, which the unit gives to the visitor
    link_claim: Claim | None = None  # the email link's nonce, spent by this registration
    delivery: PasscodeDelivery | None = None  # None: registered without a passcode (limit reached)


class Registrations(Protocol):
    """Registers a visitor, or issues a returning visitor's passcode, as one unit of work: all of it is
    written, or nothing."""

    def register(self, unit: RegistrationUnit, now: datetime) -> None:
        """Claim the link (LinkUsed), move the sighting to REGISTERED (Conflict, NotFound), add the visitor,
        give them the sighting's face (Conflict if no longer the sighting's), count the SMS limits
        (SmsLimitReached), add the passcode (PasscodeCollision) and queue its SMS for delivery after
        commit. Any error leaves everything as it was. Returns nothing: a DynamoDB transaction returns no
        items, and reading the sighting back would cost a call that no caller needs."""
        ...

    def issue_passcode(self, delivery: PasscodeDelivery, now: datetime) -> None:
        """Count the SMS limits (SmsLimitReached), add the passcode (PasscodeCollision) and queue its SMS,
        all or nothing: no live code without its queued SMS. DynamoDB: one TransactWriteItems."""
        ...


class NewSightings(Protocol):
    """A new stranger's sighting and the owner's email about it, as one unit of work."""

    def open(self, sighting: Sighting, email: Email) -> None:
        """Add the sighting (Conflict if its id is taken, changing nothing) and queue the email under its key,
        all or nothing: one SQLite transaction, one DynamoDB TransactWriteItems. So the owner is told exactly
        when the sighting exists; the console push comes after commit (the console refetches)."""
        ...


class UploadGrants(Protocol):
    """One-frame upload grants for door devices: the device sends the frame straight to storage (an S3
    presigned POST on AWS, the local server's /frames locally), never through the API."""

    def grant(self, key: str, max_bytes: int, expires_at: datetime) -> tuple[str, dict[str, str]]:
        """The URL to POST a multipart form to and the form fields that let exactly ``key`` be written,
        1..``max_bytes`` of image/jpeg, until ``expires_at``. Signed, not stored: nothing to make atomic."""
        ...


@dataclass(frozen=True)
class PhotoTask:
    """A stranger's sighting made before its frame could be had (Kinesis Video had no media yet): what a
    retry needs to fetch the frame, index the face and send the owner's held email with the photo."""

    sighting_id: str
    camera_id: str
    frame_time: datetime
    box: BoundingBox
    link_token: str  # the held email's links: the filled email keeps them, so one sighting has one link
    attempts: int = 0  # fetches started, the one a claim starts included


@dataclass(frozen=True)
class FilledPhoto:
    """What a retry that found the frame writes: the face indexed from it (None: Rekognition kept no face),
    the photos, and the owner's email with the photo, which replaces the held one."""

    face: OwnedFace | None
    photo: Photo
    face_photo: Photo | None
    email: Email


class AwaitedPhotos(Protocol):
    """Stranger sightings waiting for their frame, each with the owner's email held until the photo is
    filled or the retries give up. Every step is one conditional write or one transaction, and every step
    after ``open`` only by the runner holding the task's claim.

    DynamoDB: the task is the held email's outbox item (no ``unsent``, so no dispatcher sends it), found
    through the sparse ``awaitingPhoto`` index (adapters/aws/tables.py).
    """

    def open(self, sighting: Sighting, email: Email, task: PhotoTask, due_at: datetime) -> None:
        """Add the photo-less sighting (Conflict if its id is taken) and hold its keyed email with the task,
        due at ``due_at``: all or nothing (one TransactWriteItems)."""
        ...

    def due(self, now: datetime, limit: int) -> list[str]:
        """Sighting ids of tasks due by ``now``, soonest first (claimed ones too: the claim decides)."""
        ...

    def claim(self, sighting_id: str, runner: str, now: datetime, until: datetime) -> PhotoTask | None:
        """Take a due, unclaimed (or lapsed) task until ``until``, counting one attempt; None when another
        runner holds it, it is not due, or it is finished (one conditional update)."""
        ...

    def fill(self, sighting_id: str, runner: str, filled: FilledPhoto) -> bool:
        """While ``runner`` holds the task: give the sighting its photos (and face), replace the held email
        with ``filled.email`` and release it for sending, and finish the task, all in one transaction.
        False (nothing written) when the claim was lost or the task is finished."""
        ...

    def postpone(self, sighting_id: str, runner: str, due_at: datetime) -> None:
        """No frame yet: give the claim back, the task due again at ``due_at`` (if ``runner`` holds it)."""
        ...

    def give_up(self, sighting_id: str, runner: str) -> bool:
        """Release the held email as it is (it says no photo was captured) and finish the task, if ``runner``
        holds it; one conditional update. False when the claim was lost or the task is finished."""
        ...
