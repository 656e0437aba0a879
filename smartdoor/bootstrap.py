"""Wire once: the one place that picks adapters. Each side's adapters are imported only when it is built,
so a Lambda never imports SQLite code and the local server never needs AWS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smartdoor.config import Settings
from smartdoor.domain.model import Photo
from smartdoor.domain.passcodes import CodeSource, random_code
from smartdoor.ports import Clock, FaceCropper, IdGenerator, SightingPublisher
from smartdoor.services.context import Door

if TYPE_CHECKING:
    import boto3.session
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_kinesis_video_archived_media import KinesisVideoArchivedMediaClient
    from mypy_boto3_kinesisvideo import KinesisVideoClient
    from mypy_boto3_rekognition import RekognitionClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient

    from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
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
    from smartdoor.adapters.local.upload_grants import LocalUploadGrants
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
        upload_grants=LocalUploadGrants(settings.base_url, secret_key),
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


@dataclass(frozen=True)
class AwsClients:
    """The boto3 clients the door on AWS talks through (tests pass ones for the moto server and fakes).
    ``archived_media`` builds the Kinesis Video archived-media client for a stream's data endpoint."""

    dynamodb: DynamoDBClient
    s3: S3Client
    sesv2: SESV2Client
    sns: SNSClient
    rekognition: RekognitionClient
    kinesisvideo: KinesisVideoClient
    archived_media: Callable[[str], KinesisVideoArchivedMediaClient]
    secretsmanager: SecretsManagerClient
    # The session the clients come from: its credentials sign publishSighting (SigV4) for the console.
    session: boto3.session.Session | None = None

    @classmethod
    def default(cls, session: boto3.session.Session | None = None) -> AwsClients:
        """Clients from the environment's credentials and region (a Lambda's role), each with
        ``client_config()``: botocore's standard retries and bounded timeouts."""
        import boto3

        from smartdoor.adapters.aws.errors import client_config

        aws = session or boto3.session.Session()
        config = client_config()

        def archived_media(endpoint: str) -> KinesisVideoArchivedMediaClient:
            client: KinesisVideoArchivedMediaClient = aws.client(
                "kinesis-video-archived-media", endpoint_url=endpoint, config=config
            )
            return client

        return cls(
            dynamodb=aws.client("dynamodb", config=config),
            s3=aws.client("s3", config=client_config(signature_version="s3v4")),
            sesv2=aws.client("sesv2", config=config),
            sns=aws.client("sns", config=config),
            rekognition=aws.client("rekognition", config=config),
            kinesisvideo=aws.client("kinesisvideo", config=config),
            archived_media=archived_media,
            secretsmanager=aws.client("secretsmanager", config=config),
            session=aws,
        )


def build_aws(
    settings: Settings,
    clients: AwsClients | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    codes: CodeSource = random_code,
    publisher: SightingPublisher | None = None,
    cropper: FaceCropper | None = None,
) -> Door:
    """DynamoDB, S3, Rekognition, Kinesis Video; mail and SMS go to the DynamoDB outbox, which the outbox
    dispatcher (``build_outbox_dispatcher``) sends through SES and SNS after commit.

    Reads the HMAC key from Secrets Manager (one GetSecretValue): a Lambda builds its door once per
    container, at cold start, and keeps it. ``publisher`` pushes new sightings to the live console (the
    AppSync one); without it, a publisher that only logs, and says so. ``cropper`` cuts faces out of frames
    (Pillow by default). With SMARTDOOR_APPSYNC_ENDPOINT set and no ``publisher``, that publisher is
    AppSync's publishSighting, signed with the credentials of ``clients.session``."""
    from smartdoor.adapters.aws.dynamo_awaited_photos import DynamoAwaitedPhotos
    from smartdoor.adapters.aws.dynamo_claims import DynamoClaims
    from smartdoor.adapters.aws.dynamo_events import DynamoEventLog
    from smartdoor.adapters.aws.dynamo_face_owners import DynamoFaceOwners
    from smartdoor.adapters.aws.dynamo_limits import DynamoAttempts, DynamoThrottle
    from smartdoor.adapters.aws.dynamo_new_sightings import DynamoNewSightings
    from smartdoor.adapters.aws.dynamo_outbox import DynamoOutbox
    from smartdoor.adapters.aws.dynamo_passcodes import DynamoPasscodes
    from smartdoor.adapters.aws.dynamo_registrations import DynamoRegistrations, TableNames
    from smartdoor.adapters.aws.dynamo_sightings import DynamoSightings
    from smartdoor.adapters.aws.dynamo_visitors import DynamoVisitors
    from smartdoor.adapters.aws.face_crop import PillowFaceCropper
    from smartdoor.adapters.aws.kinesis_video_frames import KinesisVideoFrameSource
    from smartdoor.adapters.aws.rekognition_faces import RekognitionFaceIndex
    from smartdoor.adapters.aws.s3_frames import S3FrameUploads
    from smartdoor.adapters.aws.s3_photos import S3PhotoStore
    from smartdoor.adapters.aws.s3_upload_grants import S3UploadGrants
    from smartdoor.adapters.aws.secret_key import read_hmac_key
    from smartdoor.adapters.system import SystemClock, UuidIds
    from smartdoor.config import parse_streams

    if not settings.photo_bucket:
        raise ValueError("SMARTDOOR_PHOTO_BUCKET names no bucket: the door on AWS keeps its photos in S3")
    aws = clients or AwsClients.default()
    clock = clock or SystemClock()
    ids = ids or UuidIds()
    cropper = cropper or PillowFaceCropper()
    db = aws.dynamodb
    photos = S3PhotoStore(aws.s3, settings.photo_bucket)
    outbox = DynamoOutbox(db, clock, ids, settings.table_outbox)
    tables = TableNames(
        sightings=settings.table_sightings,
        visitors=settings.table_visitors,
        faces=settings.table_faces,
        passcodes=settings.table_passcodes,
        limits=settings.table_limits,
    )
    faces = RekognitionFaceIndex(aws.rekognition, settings.rekognition_collection, cropper)
    return Door(
        policy=settings.policy(),
        secret_key=read_hmac_key(aws.secretsmanager, settings.hmac_secret_id),
        clock=clock,
        ids=ids,
        codes=codes,
        visitors=DynamoVisitors(db, settings.table_visitors),
        sightings=DynamoSightings(db, settings.table_sightings),
        passcodes=DynamoPasscodes(db, settings.table_passcodes),
        throttle=DynamoThrottle(db, settings.table_limits),
        attempts=DynamoAttempts(db, settings.table_limits),
        claims=DynamoClaims(db, settings.table_limits),
        faces=faces,
        owners=DynamoFaceOwners(db, settings.table_faces),
        photos=photos,
        frames=KinesisVideoFrameSource(
            aws.kinesisvideo, aws.archived_media, parse_streams(settings.kvs_streams)
        ),
        cropper=cropper,
        mailer=outbox,
        sms=outbox,
        publisher=publisher or _console_publisher(settings, aws, photos.url),
        events=DynamoEventLog(db, settings.door_id, settings.table_timeline),
        registrations=DynamoRegistrations(db, outbox, tables),
        new_sightings=DynamoNewSightings(db, outbox, settings.table_sightings),
        frame_search=faces,  # the frame path: DetectFaces, then SearchFacesByImage per face
        uploads=S3FrameUploads(aws.s3, settings.photo_bucket),
        upload_grants=S3UploadGrants(aws.s3, settings.photo_bucket, clock),
        awaited_photos=DynamoAwaitedPhotos(
            db, clock, settings.table_sightings, settings.table_faces, settings.table_outbox
        ),
    )


def _console_publisher(
    settings: Settings, aws: AwsClients, photo_url: Callable[[Photo], str]
) -> SightingPublisher:
    """AppSync's publishSighting when its endpoint is set, else one that only logs (and says so)."""
    if not settings.appsync_endpoint:
        from smartdoor.adapters.aws.log_publisher import LogOnlyPublisher

        return LogOnlyPublisher(settings.appsync_endpoint)
    import boto3.session

    from smartdoor.adapters.aws.appsync_publisher import AppSyncPublisher

    session = aws.session or boto3.session.Session()
    credentials = session.get_credentials()
    if credentials is None:
        raise ValueError("no AWS credentials to sign publishSighting with (SigV4): the console gets nothing")
    # The API is in the door's region: the one its clients were made for.
    region = aws.dynamodb.meta.region_name
    return AppSyncPublisher(settings.appsync_endpoint, region, credentials, photo_url)


def build_outbox_dispatcher(
    settings: Settings, dispatcher_id: str, clients: AwsClients | None = None, clock: Clock | None = None
) -> OutboxDispatcher:
    """The sender of the DynamoDB outbox: email through SES (from SMARTDOOR_MAIL_FROM), SMS through SNS.
    ``dispatcher_id`` names this runner in the claims it takes (a Lambda's request id, a host and pid)."""
    from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
    from smartdoor.adapters.aws.ses_mailer import SesMailer
    from smartdoor.adapters.aws.sns_sms import SnsSmsSender
    from smartdoor.adapters.system import SystemClock

    aws = clients or AwsClients.default()
    clock = clock or SystemClock()
    mailer = SesMailer(aws.sesv2, settings.mail_from, clock)
    return OutboxDispatcher(
        aws.dynamodb, mailer, SnsSmsSender(aws.sns), clock, dispatcher_id, settings.table_outbox
    )
