"""Door: the ports and rules a use case works with, wired once by bootstrap."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from smartdoor import ports
from smartdoor.domain.passcodes import CodeSource
from smartdoor.domain.policy import DoorPolicy

log = logging.getLogger("smartdoor")


@dataclass(frozen=True)
class Door:
    policy: DoorPolicy
    secret_key: bytes  # HMAC key for passcode hashes and email links; never logged
    clock: ports.Clock
    ids: ports.IdGenerator
    codes: CodeSource
    visitors: ports.VisitorRepository
    sightings: ports.SightingRepository
    passcodes: ports.PasscodeStore
    throttle: ports.Throttle
    attempts: ports.ClientAttempts
    faces: ports.FaceIndex
    photos: ports.PhotoStore
    frames: ports.FrameSource
    mailer: ports.Mailer
    sms: ports.SmsSender
    publisher: ports.SightingPublisher

    def __repr__(self) -> str:  # keeps the key out of tracebacks and logs
        return "Door(...)"
