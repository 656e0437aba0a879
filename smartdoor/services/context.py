"""Door: the ports and rules a use case works with, wired once by bootstrap."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from smartdoor import ports
from smartdoor.domain.errors import DomainError
from smartdoor.domain.model import DoorEvent, DoorEventKind
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
    claims: ports.Claims
    faces: ports.FaceIndex
    owners: ports.FaceOwners  # who each face in ``faces`` is
    photos: ports.PhotoStore
    frames: ports.FrameSource
    cropper: ports.FaceCropper
    mailer: ports.Mailer
    sms: ports.SmsSender
    publisher: ports.SightingPublisher
    events: ports.EventLog
    registrations: ports.Registrations
    new_sightings: ports.NewSightings  # a stranger's sighting with the owner's email, as one unit
    # The frame path (AWS): uploaded frames and their search. None on a door that analyses its frames
    # itself (the local dlib workers); the frame use case refuses to run there.
    frame_search: ports.FrameSearch | None = None
    uploads: ports.FrameUploads | None = None
    upload_grants: ports.UploadGrants | None = None  # door devices' frame grants; None: it takes none
    # Where a frame can arrive after its event (Kinesis Video): sightings made before it, filled by a retry.
    # None where the edge brings the frame (the local camera).
    awaited_photos: ports.AwaitedPhotos | None = None

    def record(
        self,
        kind: DoorEventKind,
        sighting_id: str | None = None,
        visitor_id: str | None = None,
        camera_id: str | None = None,
        visitor_name: str | None = None,
    ) -> None:
        """Add a line to the owner's timeline; a failure here never fails the flow that caused it."""
        event = DoorEvent(
            self.ids.new_id(), kind, self.clock.now(), sighting_id, visitor_id, camera_id, visitor_name
        )
        try:
            self.events.record(event)
        except DomainError:
            log.exception("could not record %s in the timeline", kind.value)

    def __repr__(self) -> str:  # keeps the key out of tracebacks and logs
        return "Door(...)"
