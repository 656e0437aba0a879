"""A Door over the in-memory fakes, with a clock the test moves and codes the test chooses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from smartdoor.adapters.memory.clock_ids import ManualClock, ScriptedCodes, SequentialIds
from smartdoor.adapters.memory.messaging import MemoryMailer, MemoryPublisher, MemorySms
from smartdoor.adapters.memory.new_sightings import MemoryNewSightings
from smartdoor.adapters.memory.registrations import MemoryRegistrations
from smartdoor.adapters.memory.stores import (
    MemoryAttempts,
    MemoryClaims,
    MemoryCropper,
    MemoryEventLog,
    MemoryFaceIndex,
    MemoryFaceOwners,
    MemoryFrames,
    MemoryPasscodes,
    MemoryPhotos,
    MemorySightings,
    MemoryThrottle,
    MemoryVisitors,
)
from smartdoor.adapters.memory.upload_grants import MemoryUploadGrants
from smartdoor.domain.policy import DoorPolicy
from smartdoor.services.context import Door

START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
KEY = b"unit-test-key-0123456789abcdef"


@dataclass
class Fakes:
    """The door and direct handles on its fakes, for GIVEN steps and THEN assertions."""

    door: Door
    clock: ManualClock
    codes: ScriptedCodes
    visitors: MemoryVisitors
    sightings: MemorySightings
    passcodes: MemoryPasscodes
    faces: MemoryFaceIndex
    owners: MemoryFaceOwners
    photos: MemoryPhotos
    mailer: MemoryMailer
    sms: MemorySms
    publisher: MemoryPublisher
    events: MemoryEventLog
    upload_grants: MemoryUploadGrants


def make_fakes(codes: list[str] | None = None, policy: DoorPolicy | None = None) -> Fakes:
    clock = ManualClock(START)
    scripted = ScriptedCodes(codes or [f"{n:06d}" for n in range(100001, 100400)])
    throttle = MemoryThrottle()
    sightings, visitors, faces = MemorySightings(), MemoryVisitors(), MemoryFaceIndex()
    passcodes, sms, owners = MemoryPasscodes(), MemorySms(), MemoryFaceOwners()
    mailer = MemoryMailer()
    parts = {
        "visitors": visitors,
        "sightings": sightings,
        "passcodes": passcodes,
        "faces": faces,
        "owners": owners,
        "photos": MemoryPhotos(),
        "mailer": mailer,
        "sms": sms,
        "publisher": MemoryPublisher(),
        "events": MemoryEventLog(),
        "upload_grants": MemoryUploadGrants(),
    }
    claims = MemoryClaims()
    door = Door(
        policy=policy or DoorPolicy(owner_email="owner@example.com", public_url="https://door.example"),
        secret_key=KEY,
        clock=clock,
        ids=SequentialIds(),
        codes=scripted,
        throttle=throttle,
        attempts=MemoryAttempts(),
        claims=claims,
        frames=MemoryFrames(),
        cropper=MemoryCropper(),
        registrations=MemoryRegistrations(sightings, visitors, owners, passcodes, throttle, sms, claims),
        new_sightings=MemoryNewSightings(sightings, mailer),
        **parts,  # type: ignore[arg-type]
    )
    return Fakes(door=door, clock=clock, codes=scripted, **parts)  # type: ignore[arg-type]


@pytest.fixture
def fakes() -> Fakes:
    return make_fakes()


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The unit tier does no I/O: any attempt to open a connection fails the test loudly."""
    import socket

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a unit test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
