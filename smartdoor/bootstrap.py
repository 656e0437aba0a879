"""Wire once: the one place that picks adapters. Each side's adapters are imported only when it is built,
so a Lambda never imports SQLite code and the local server never needs AWS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from smartdoor.config import Settings
from smartdoor.domain.passcodes import CodeSource, random_code
from smartdoor.ports import Clock, FaceCropper, IdGenerator
from smartdoor.services.context import Door

if TYPE_CHECKING:
    from smartdoor.adapters.local.broker import SightingBroker
    from smartdoor.adapters.local.database import Database
    from smartdoor.adapters.local.face_index import LocalFaceIndex
    from smartdoor.adapters.local.housekeeping import Housekeeper
    from smartdoor.adapters.local.mail_worker import DeliveryWorker
    from smartdoor.adapters.local.outbox import Outbox
    from smartdoor.adapters.local.photo_files import FilePhotoStore
    from smartdoor.adapters.local.sighting_feed import FeedFollower
    from smartdoor.vision.service import Vision
    from smartdoor.vision.sources import CameraSpec


@dataclass
class LocalDoor:
    """The door plus the local pieces the server shows or manages (outbox, broker, token, mail worker)."""

    door: Door
    settings: Settings
    database: Database
    outbox: Outbox
    broker: SightingBroker
    photos: FilePhotoStore
    faces: LocalFaceIndex
    owner_token: str
    housekeeper: Housekeeper | None  # one per data folder: the primary process runs it
    mail_worker: DeliveryWorker | None = None
    follower: FeedFollower | None = None  # brings sightings announced by other processes here

    def start(self) -> None:
        if self.housekeeper is not None:
            self.housekeeper.start()
        if self.mail_worker is not None:
            self.mail_worker.start()

    def close(self) -> None:
        if self.housekeeper is not None:
            self.housekeeper.stop()
        if self.mail_worker is not None:
            self.mail_worker.stop()
        self.database.close()


def _cropper() -> FaceCropper:
    from smartdoor.adapters.local.face_crop import NoCropper, OpenCvFaceCropper

    try:
        import cv2  # noqa: F401 - only to learn whether the vision extra is installed
    except ImportError:
        return NoCropper()
    return OpenCvFaceCropper()


def build_local(
    settings: Settings,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    codes: CodeSource = random_code,
    workers: int = 1,
    primary: bool = True,
    beside_server: bool = False,
) -> LocalDoor:
    """SQLite, files, outbox (+ SMTP when configured), in-process broker. Creates the data folder (raises
    DataFolderUnusable when it cannot be made or written).

    With ``workers`` > 1 this is one of several server processes on the same data: sightings are announced
    through the SQLite feed so every process's subscribers see them, and only the ``primary`` one delivers
    mail and does the housekeeping. ``beside_server`` is a command working on a running server's data
    (`smartdoor enroll`): what it publishes goes through the feed too, which every server follows.
    """
    from smartdoor.adapters.local.broker import SightingBroker
    from smartdoor.adapters.local.data_folder import prepare_data_folder
    from smartdoor.adapters.local.database import Database
    from smartdoor.adapters.local.face_index import LocalFaceIndex
    from smartdoor.adapters.local.frame_source import FramesArriveWithEvents
    from smartdoor.adapters.local.housekeeping import Housekeeper
    from smartdoor.adapters.local.keys import load_or_create_secret
    from smartdoor.adapters.local.outbox import Outbox
    from smartdoor.adapters.local.photo_files import FilePhotoStore
    from smartdoor.adapters.local.sighting_feed import FeedFollower, SqliteSightingFeed
    from smartdoor.adapters.local.sqlite_claims import SqliteClaims
    from smartdoor.adapters.local.sqlite_events import SqliteEventLog
    from smartdoor.adapters.local.sqlite_face_owners import SqliteFaceOwners
    from smartdoor.adapters.local.sqlite_limits import SqliteAttempts, SqliteThrottle
    from smartdoor.adapters.local.sqlite_new_sightings import SqliteNewSightings
    from smartdoor.adapters.local.sqlite_passcodes import SqlitePasscodes
    from smartdoor.adapters.local.sqlite_registrations import SqliteRegistrations
    from smartdoor.adapters.local.sqlite_sightings import SqliteSightings
    from smartdoor.adapters.local.sqlite_visitors import SqliteVisitors
    from smartdoor.adapters.system import SystemClock, UuidIds

    clock = clock or SystemClock()
    ids = ids or UuidIds()
    data = settings.data_dir
    prepare_data_folder(data)  # DataFolderUnusable says why not, in one sentence
    secret_key = load_or_create_secret(data / "secret-key").encode("ascii")
    owner_token = load_or_create_secret(data / "owner-token")
    database = Database(data / "smartdoor.db")
    database.migrate()
    outbox = Outbox(database, clock)
    broker = SightingBroker()
    feed = SqliteSightingFeed(database, clock)
    announce_via_feed = workers > 1 or beside_server
    faces = LocalFaceIndex(database, ids, clock)
    owners = SqliteFaceOwners(database, faces)
    photos = FilePhotoStore(data / "photos", settings.base_url, secret_key, clock)
    sightings, visitors = SqliteSightings(database), SqliteVisitors(database)
    passcodes, throttle = SqlitePasscodes(database), SqliteThrottle(database)
    claims = SqliteClaims(database)
    door = Door(
        policy=settings.policy(),
        secret_key=secret_key,
        clock=clock,
        ids=ids,
        codes=codes,
        visitors=visitors,
        sightings=sightings,
        passcodes=passcodes,
        throttle=throttle,
        attempts=SqliteAttempts(database),
        claims=claims,
        faces=faces,
        owners=owners,
        photos=photos,
        frames=FramesArriveWithEvents(),
        cropper=_cropper(),
        mailer=outbox,
        sms=outbox,
        publisher=feed if announce_via_feed else broker,
        events=SqliteEventLog(database),
        registrations=SqliteRegistrations(
            database, sightings, visitors, owners, passcodes, throttle, outbox, claims
        ),
        new_sightings=SqliteNewSightings(database, sightings, outbox),
    )
    worker = None
    if settings.smtp_url and primary:
        from smartdoor.adapters.local.mail_worker import DeliveryWorker
        from smartdoor.adapters.local.smtp_mailer import SmtpDelivery, SmtpSettings

        delivery = SmtpDelivery(SmtpSettings.from_url(settings.smtp_url), settings.mail_from)
        worker = DeliveryWorker(outbox, delivery, clock, settings.mail_from)
    housekeeper = Housekeeper(database, clock) if primary else None
    follower = FeedFollower(feed, door.sightings, broker)
    return LocalDoor(
        door, settings, database, outbox, broker, photos, faces, owner_token, housekeeper, worker, follower
    )


def build_vision(
    local: LocalDoor, cameras: list[CameraSpec], inline: bool = False, realtime: bool = True
) -> Vision:
    """The local eyes: dlib analysis in a worker process (``inline`` runs it in-process, for tests)."""
    from smartdoor.vision.analysis import AnalysisWorker, FrameAnalysis
    from smartdoor.vision.cameras import CameraRunner
    from smartdoor.vision.frames import FrameInbox
    from smartdoor.vision.pipeline import FacePipeline
    from smartdoor.vision.service import Vision

    analysis = FrameAnalysis() if inline else AnalysisWorker()
    pipeline = FacePipeline(local.door, local.faces, analysis)
    clock = local.door.clock
    retries = local.settings.camera_open_retries
    runners = [
        CameraRunner(spec, pipeline, clock.now, realtime=realtime, open_retries=retries) for spec in cameras
    ]
    return Vision(pipeline, analysis, FrameInbox(pipeline, clock.now), runners)
