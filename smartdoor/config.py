"""Settings, loaded once from the environment (and a `.env` file) into one typed object.

Every setting is an environment variable named SMARTDOOR_<NAME>; the README's table lists them (a test holds
it to this file). The names are shared with cdk/, which sets them on the Lambdas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any

from smartdoor.adapters.aws import tables  # the table definitions as data: no boto3 at import time
from smartdoor.domain.client_address import TrustedProxies
from smartdoor.domain.lockout import LockoutPolicy
from smartdoor.domain.policy import DoorPolicy, SmsLimit

PREFIX = "SMARTDOOR_"
MAX_FRAME_UPLOAD_BYTES = 5 * 1024 * 1024  # Rekognition takes no larger image, so the frame path none either


def _seconds(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = float(text)
        if not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}")
        return value

    return parse


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be a whole number of at least 1")
    return value


def _frame_bytes(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_FRAME_UPLOAD_BYTES:
        raise ValueError(f"must be from 1 to {MAX_FRAME_UPLOAD_BYTES} bytes (Rekognition's image limit)")
    return value


def _percent(text: str) -> float:
    value = float(text)
    if not 0 < value <= 100:
        raise ValueError("must be a percentage in (0, 100]")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError("must be a TCP port (0 picks a free one)")
    return value


def _proxies(text: str) -> str:
    TrustedProxies.parse(text)  # raises, naming the bad entry
    return text


def _setting(default: Any, parse: Callable[[str], Any], doc: str) -> Any:
    return field(default=default, metadata={"parse": parse, "doc": doc})


def _streams(text: str) -> str:
    parse_streams(text)  # raises, naming the bad entry
    return text


def parse_streams(text: str) -> dict[str, str]:
    """``KVS1`` or ``front=KVS1,back=KVS2``: camera id -> Kinesis Video stream name. A bare stream name is
    its own camera's id (a stream-processor record names its camera by the stream)."""
    streams: dict[str, str] = {}
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        camera, _, stream = entry.rpartition("=")
        camera, stream = (camera.strip() or stream.strip()), stream.strip()
        if not stream or camera in streams:
            raise ValueError(f"{entry!r} is not camera=stream, or names its camera twice")
        streams[camera] = stream
    return streams


def _table(table: tables.Table) -> Any:
    return _setting(
        table.default_name,
        str,
        f"AWS only: the name of the DynamoDB {table.logical} table (its default is in tables.py).",
    )


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting(Path("smartdoor-data"), Path, "Folder for the database, photos and keys.")
    host: str = _setting("127.0.0.1", str, "Address the local server listens on.")
    port: int = _setting(8000, _port, "Port the local server listens on.")
    public_url: str = _setting("", str, "Base URL in email links; empty means http://HOST:PORT.")
    owner_email: str = _setting("owner@localhost", str, "Where new-visitor emails and alerts go.")
    mail_from: str = _setting("door@localhost", str, "Sender address of the door's emails.")
    smtp_url: str = _setting(
        "", str, "smtp://user:pass@host:587?starttls=true or smtps://…; empty keeps mail in the outbox only."
    )
    match_threshold: float = _setting(90.0, _percent, "Similarity (%) at which a face is the same person.")
    otp_lifetime_seconds: float = _setting(300.0, _seconds(10, 300), "How long a passcode works (≤ 300).")
    visitor_cooldown_seconds: float = _setting(
        600.0, _seconds(0, 86400), "A returning visitor gets one passcode SMS per this many seconds."
    )
    deny_cooldown_seconds: float = _setting(
        86400.0, _seconds(0, 30 * 86400), "A denied face stays quiet for this long."
    )
    new_face_window_seconds: float = _setting(
        600.0,
        _seconds(1, 86400),
        "Frames of one stranger that all miss the search (two cameras at once) within this long are one"
        " visit: the first face indexed makes the sighting, the others are dropped.",
    )
    link_lifetime_seconds: float = _setting(
        86400.0, _seconds(60, 7 * 86400), "How long the approve/deny links in an email work."
    )
    lockout_free_failures: int = _setting(
        5, _positive_int, "Wrong codes a door device (or a cookieless address) may type before lock-out."
    )
    lockout_address_free_failures: int = _setting(
        20, _positive_int, "Wrong codes from one address, all its devices together, before lock-out."
    )
    lockout_base_seconds: float = _setting(30.0, _seconds(1, 3600), "First lock-out; doubles each time.")
    lockout_max_seconds: float = _setting(3600.0, _seconds(1, 86400), "Longest lock-out.")
    failure_budget_per_minute: int = _setting(
        30, _positive_int, "Wrong codes per minute (all clients) before the owner is alerted."
    )
    sms_per_minute: int = _setting(1, _positive_int, "Passcode SMS per phone per minute.")
    sms_per_10_minutes: int = _setting(5, _positive_int, "Passcode SMS per phone per 10 minutes.")
    camera_open_retries: int = _setting(
        5, _positive_int, "Tries to reopen a webcam or stream that never opened before it is shown failed."
    )
    face_event_max_age_seconds: float = _setting(
        300.0,
        _seconds(10, 7 * 86400),
        "A streamed face record older than this is put in the timeline as seen late; nothing is sent.",
    )
    frame_max_bytes: int = _setting(
        2 * 1024 * 1024,
        _frame_bytes,
        "Largest JPEG a door device may upload as one frame (bytes, at most 5242880: Rekognition's limit).",
    )
    frame_grant_lifetime_seconds: float = _setting(
        60.0, _seconds(5, 3600), "How long a door device's one-frame upload grant works."
    )
    device_frames_per_minute: int = _setting(
        30, _positive_int, "Upload grants one door device (one device token) may ask for per minute."
    )
    trusted_proxies: str = _setting(
        "", _proxies, "Reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed."
    )
    owner_group: str = _setting(
        "owners", str, "On AWS: the Cognito user pool group whose members are the owner."
    )
    log_level: str = _setting("INFO", str.upper, "Logging level (DEBUG, INFO, WARNING).")
    door_id: str = _setting("door", str, "AWS only: this door's partition of the timeline table.")
    table_passcodes: str = _table(tables.PASSCODES)
    table_visitors: str = _table(tables.VISITORS)
    table_sightings: str = _table(tables.SIGHTINGS)
    table_faces: str = _table(tables.FACES)
    table_limits: str = _table(tables.LIMITS)
    table_timeline: str = _table(tables.TIMELINE)
    table_outbox: str = _table(tables.OUTBOX)
    photo_bucket: str = _setting("", str, "AWS only: the private S3 bucket of the door's photos.")
    rekognition_collection: str = _setting(
        "smartdoor-faces", str, "AWS only: the Rekognition collection of indexed faces."
    )
    kvs_streams: str = _setting(
        "KVS1",
        _streams,
        "AWS only: Kinesis Video streams the door's frames come from: a stream name (its camera's id), or"
        " camera=stream pairs, comma-separated.",
    )
    hmac_secret_id: str = _setting(
        "",
        str,
        "AWS only: ARN or name of the Secrets Manager secret holding the HMAC key for passcodes and links"
        " (read once per container; the key itself is never in the environment).",
    )
    appsync_endpoint: str = _setting(
        "", str, "AWS only: the AppSync GraphQL endpoint the live console's new sightings are published to."
    )
    photo_attempts: int = _setting(
        3,
        _positive_int,
        "AWS only: fetches of a frame Kinesis Video had no media for yet, the first included; then the"
        " owner's email goes without the photo.",
    )
    photo_retry_seconds: float = _setting(
        30.0, _seconds(1, 300), "AWS only: how long after a fetch found no media the frame is fetched again."
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read SMARTDOOR_* variables; a bad value names the variable and what it must be."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = PREFIX + f.name.upper()
            if name in env and env[name] != "":
                try:
                    values[f.name] = f.metadata["parse"](env[name])
                except ValueError as exc:
                    raise ValueError(f"{name}={env[name]!r}: {exc}") from exc
        return cls(**values)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def _lockout(self, free_failures: int) -> LockoutPolicy:
        return LockoutPolicy(
            free_failures=free_failures,
            base=timedelta(seconds=self.lockout_base_seconds),
            ceiling=timedelta(seconds=self.lockout_max_seconds),
        )

    def policy(self) -> DoorPolicy:
        return DoorPolicy(
            owner_email=self.owner_email,
            public_url=self.base_url,
            match_threshold=self.match_threshold,
            otp_lifetime=timedelta(seconds=self.otp_lifetime_seconds),
            visitor_cooldown=timedelta(seconds=self.visitor_cooldown_seconds),
            deny_cooldown=timedelta(seconds=self.deny_cooldown_seconds),
            new_face_window=timedelta(seconds=self.new_face_window_seconds),
            link_lifetime=timedelta(seconds=self.link_lifetime_seconds),
            lockout=self._lockout(self.lockout_free_failures),
            address_lockout=self._lockout(self.lockout_address_free_failures),
            failure_budget_per_minute=self.failure_budget_per_minute,
            face_event_max_age=timedelta(seconds=self.face_event_max_age_seconds),
            frame_max_bytes=self.frame_max_bytes,
            frame_grant_lifetime=timedelta(seconds=self.frame_grant_lifetime_seconds),
            device_frames_per_minute=self.device_frames_per_minute,
            photo_retry_interval=timedelta(seconds=self.photo_retry_seconds),
            photo_attempts=self.photo_attempts,
            sms_limits=(
                SmsLimit(self.sms_per_minute, timedelta(minutes=1)),
                SmsLimit(self.sms_per_10_minutes, timedelta(minutes=10)),
            ),
        )


def settings_table() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for every setting: the README's configuration table."""
    rows = []
    for f in fields(Settings):
        default = f.default
        shown = str(default) if default != "" else "(empty)"
        rows.append((PREFIX + f.name.upper(), shown, str(f.metadata["doc"])))
    return rows


def load_settings(environ: Mapping[str, str], dotenv: Path | None = Path(".env")) -> Settings:
    """The process environment wins over `.env`, which wins over the defaults."""
    merged: dict[str, str] = {}
    if dotenv is not None and dotenv.is_file():
        from dotenv import dotenv_values

        merged.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    merged.update(environ)
    return Settings.from_env(merged)
