"""The door's tunable rules, in one value the services read (loaded from Settings at bootstrap)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from smartdoor.domain.lockout import LockoutPolicy
from smartdoor.domain.passcodes import MAX_LIFETIME


@dataclass(frozen=True)
class SmsLimit:
    count: int
    window: timedelta


@dataclass(frozen=True)
class DoorPolicy:
    owner_email: str = "owner@localhost"
    public_url: str = "http://127.0.0.1:8000"  # where links in emails point
    match_threshold: float = 90.0  # similarity (percent) at which a face is the same person
    otp_lifetime: timedelta = MAX_LIFETIME
    visitor_cooldown: timedelta = timedelta(minutes=10)  # one passcode SMS per visit, not per frame
    deny_cooldown: timedelta = timedelta(hours=24)  # a denied face stays quiet this long
    link_lifetime: timedelta = timedelta(hours=24)
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)  # per door device (or cookieless address)
    # Every try from one network address, whatever device cookie it carries: bounds a guesser who takes a
    # new cookie per guess, while leaving room for a household's several phones.
    address_lockout: LockoutPolicy = field(default_factory=lambda: LockoutPolicy(free_failures=20))
    # Wrong codes a minute at the door, all clients together; beyond it the owner is alerted.
    failure_budget_per_minute: int = 30
    sms_limits: tuple[SmsLimit, ...] = (
        SmsLimit(1, timedelta(minutes=1)),
        SmsLimit(5, timedelta(minutes=10)),
    )
    # A face event is claimed for the lease while it is handled (a crashed handler's claim lapses, so the
    # stream's retry can run), then remembered long enough to outlive every re-delivery: 7 days is the
    # longest record age a Lambda Kinesis trigger allows.
    face_event_lease: timedelta = timedelta(minutes=2)
    face_event_memory: timedelta = timedelta(days=7)
    # Frames of one stranger that miss the search at once (two cameras, two stream shards) each index a
    # face; a similar stranger's face indexed this recently is the same visit, and the oldest face wins.
    new_face_window: timedelta = timedelta(minutes=10)
    code_attempts: int = 20  # draws before giving up on finding a free code (10^6 codes; a few live)
    # A streamed face event older than this (its frame's time against now) is recorded, not acted on: no
    # SMS or email for a visit that ended minutes ago. Rekognition's records arrive 34-282 s after the frame.
    face_event_max_age: timedelta = timedelta(seconds=300)
    # A door device's upload grant: one frame of at most this size, for this long, so many a minute.
    frame_max_bytes: int = 2 * 1024 * 1024
    frame_grant_lifetime: timedelta = timedelta(seconds=60)
    device_frames_per_minute: int = 30
    # A frame Kinesis Video has no media for yet is fetched again this often, this many times in all (the
    # first fetch, when the event is handled, included); then the owner's email goes without the photo.
    photo_retry_interval: timedelta = timedelta(seconds=30)
    photo_attempts: int = 3
    # A retry runner holds a task this long: far longer than GetImages, IndexFaces and two S3 puts.
    photo_retry_lease: timedelta = timedelta(seconds=60)

    def __post_init__(self) -> None:
        if not timedelta(0) < self.otp_lifetime <= MAX_LIFETIME:
            raise ValueError(f"otp_lifetime must be within (0, {MAX_LIFETIME}]")
        if not 0 < self.match_threshold <= 100:
            raise ValueError("match_threshold is a similarity in percent: (0, 100]")
