"""One contract for every implementation of a store port: the in-memory fakes, SQLite and (for the
repositories and the timeline) DynamoDB on the moto server behave alike."""

from __future__ import annotations

import base64
import hashlib
import hmac
from array import array
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from smartdoor.adapters.aws.dynamo_events import DynamoEventLog
from smartdoor.adapters.aws.dynamo_limits import DynamoAttempts, DynamoThrottle
from smartdoor.adapters.aws.dynamo_passcodes import DynamoPasscodes
from smartdoor.adapters.aws.dynamo_sightings import DynamoSightings
from smartdoor.adapters.aws.dynamo_visitors import DynamoVisitors
from smartdoor.adapters.aws.tables import LIMITS, PASSCODES, SIGHTINGS, TIMELINE, VISITORS, create_table
from smartdoor.adapters.local.database import Database, to_micros
from smartdoor.adapters.local.face_index import LocalFaceIndex
from smartdoor.adapters.local.photo_files import FilePhotoStore
from smartdoor.adapters.local.sqlite_events import SqliteEventLog
from smartdoor.adapters.local.sqlite_limits import SqliteAttempts, SqliteThrottle
from smartdoor.adapters.local.sqlite_passcodes import SqlitePasscodes
from smartdoor.adapters.local.sqlite_sightings import SqliteSightings
from smartdoor.adapters.local.sqlite_visitors import SqliteVisitors
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.stores import (
    MemoryAttempts,
    MemoryEventLog,
    MemoryFaceIndex,
    MemoryPasscodes,
    MemoryPhotos,
    MemorySightings,
    MemoryThrottle,
    MemoryVisitors,
)
from smartdoor.domain.errors import Conflict, InvalidInput, NotFound, PasscodeCollision
from smartdoor.domain.lockout import LockoutPolicy
from smartdoor.domain.model import (
    BoundingBox,
    DetectedFace,
    DoorEvent,
    DoorEventKind,
    Passcode,
    Photo,
    Sighting,
    SightingStatus,
    Visitor,
)
from smartdoor.ports import (
    Admission,
    AttemptRule,
    ClientAttempts,
    EventLog,
    FaceIndex,
    PasscodeStore,
    PhotoStore,
    SightingRepository,
    Throttle,
    ThrottleRule,
    VisitorRepository,
)
from tests.integration.moto_fixtures import Aws

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
US = timedelta(microseconds=1)  # the stores' resolution: boundaries are checked one tick either side
PENDING = frozenset({SightingStatus.PENDING})


@dataclass
class Stores:
    visitors: VisitorRepository
    sightings: SightingRepository
    passcodes: PasscodeStore
    throttle: Throttle
    attempts: ClientAttempts
    events: EventLog
    stored_passcodes: Callable[[], list[str]]  # every hash still stored, expired or not: what a TTL sees


def _memory() -> Stores:
    passcodes = MemoryPasscodes()
    return Stores(
        MemoryVisitors(),
        MemorySightings(),
        passcodes,
        MemoryThrottle(),
        MemoryAttempts(),
        MemoryEventLog(),
        lambda: sorted(passcodes.items),
    )


def _sqlite(db: Database) -> Stores:
    def stored() -> list[str]:
        rows = db.connection().execute("SELECT code_hash FROM passcodes ORDER BY code_hash")
        return [str(row[0]) for row in rows]

    return Stores(
        SqliteVisitors(db),
        SqliteSightings(db),
        SqlitePasscodes(db),
        SqliteThrottle(db),
        SqliteAttempts(db),
        SqliteEventLog(db),
        stored,
    )


def _dynamodb(aws: Aws) -> Stores:
    """The DynamoDB repositories and timeline on moto; the limits and passcodes are another port's work, so
    the memory ones stand in for them here."""
    client = aws.dynamodb()
    for table in (VISITORS, SIGHTINGS, TIMELINE):
        create_table(client, table)
    memory = _memory()
    return replace(
        memory,
        visitors=DynamoVisitors(client),
        sightings=DynamoSightings(client),
        events=DynamoEventLog(client, door="door-1"),
    )


@pytest.fixture(params=["memory", "sqlite"])
def stores(request: pytest.FixtureRequest) -> Stores:
    return _memory() if request.param == "memory" else _sqlite(request.getfixturevalue("db"))


@pytest.fixture(params=["memory", "sqlite", "dynamodb"])
def repositories(request: pytest.FixtureRequest) -> Stores:
    """For the visitor and sighting repositories and the event log, which DynamoDB implements too."""
    if request.param == "dynamodb":
        return _dynamodb(request.getfixturevalue("aws"))
    return _memory() if request.param == "memory" else _sqlite(request.getfixturevalue("db"))


@dataclass
class Limits:
    """The stores that keep the door's limits: memory, SQLite and DynamoDB (on the moto server) alike."""

    passcodes: PasscodeStore
    throttle: Throttle
    attempts: ClientAttempts
    stored_passcodes: Callable[[], list[str]]  # every hash still stored, expired or not: what a TTL sees


def _dynamodb_limits(aws: Aws) -> Limits:
    client = aws.dynamodb()
    passcodes, limits = create_table(client, PASSCODES), create_table(client, LIMITS)

    def stored() -> list[str]:  # a Scan, as only a test may: the adapters never scan
        items = client.scan(TableName=passcodes, ConsistentRead=True)["Items"]
        return sorted(item["codeHash"]["S"] for item in items)

    return Limits(
        DynamoPasscodes(client, passcodes),
        DynamoThrottle(client, limits),
        DynamoAttempts(client, limits),
        stored,
    )


@pytest.fixture(params=["memory", "sqlite", "dynamodb"])
def limits(request: pytest.FixtureRequest) -> Limits:
    if request.param == "dynamodb":
        return _dynamodb_limits(request.getfixturevalue("aws"))
    both = _memory() if request.param == "memory" else _sqlite(request.getfixturevalue("db"))
    return Limits(both.passcodes, both.throttle, both.attempts, both.stored_passcodes)


def visitor(n: int, at: datetime = T0) -> Visitor:
    return Visitor(f"v{n}", f"face-{n}", f"Name {n}", "+12025550100", (), at + n * MIN)


def sighting(n: int, status: SightingStatus = SightingStatus.PENDING) -> Sighting:
    photo = Photo(f"sightings/s{n}.jpg", "local", T0)
    face = Photo(f"faces/s{n}.jpg", "local", T0 + US)
    return Sighting(f"s{n}", f"face-{n}", "door", status, T0 + n * MIN, photo, face_photo=face)


def all_ids(list_page: Callable[[str | None], tuple[list[str], str | None]]) -> list[list[str]]:
    """Follow next tokens to the end; return each page's ids."""
    pages, token = [], None
    while True:
        ids, token = list_page(token)
        pages.append(ids)
        if token is None:
            return pages


def test_visitors_by_id_and_face(repositories: Stores) -> None:
    for n in range(3):
        repositories.visitors.add(visitor(n))
    assert repositories.visitors.get("v1") == visitor(1)
    assert repositories.visitors.get_by_face("face-2") == visitor(2)
    assert repositories.visitors.get("nobody") is None
    assert repositories.visitors.get_by_face("face-9") is None
    assert repositories.visitors.delete("v2") == visitor(2)
    assert repositories.visitors.delete("v2") is None
    assert repositories.visitors.get("v2") is None


def test_photos_are_appended_in_order(repositories: Stores) -> None:
    repositories.visitors.add(visitor(1))
    first, second = Photo("visitors/v1/a.jpg", "local", T0 + US), Photo("visitors/v1/b.jpg", "s3", T0)
    repositories.visitors.add_photo("v1", first)
    repositories.visitors.add_photo("v1", second)
    repositories.visitors.add_photo("nobody", first)  # nothing to add it to: no error, no visitor appears
    assert repositories.visitors.get("v1") == replace(visitor(1), photos=(first, second))
    assert repositories.visitors.get("nobody") is None


def test_visitors_page_newest_first(repositories: Stores) -> None:
    for n in (2, 0, 4, 1, 3):
        repositories.visitors.add(visitor(n))

    def page(token: str | None) -> tuple[list[str], str | None]:
        result = repositories.visitors.list(2, token)
        return [v.id for v in result.items], result.next_token

    assert all_ids(page) == [["v4", "v3"], ["v2", "v1"], ["v0"]]
    assert repositories.visitors.list(5, None).next_token is None  # exactly full: no empty last page


def test_equal_times_page_by_id(repositories: Stores) -> None:
    for n in range(3):
        repositories.visitors.add(replace(visitor(n), created_at=T0))

    def page(token: str | None) -> tuple[list[str], str | None]:
        result = repositories.visitors.list(1, token)
        return [v.id for v in result.items], result.next_token

    assert all_ids(page) == [["v2"], ["v1"], ["v0"]]


OVERFLOW = base64.urlsafe_b64encode(b"99999999999999999999:v1").decode()


@pytest.mark.parametrize(
    "token", ["not-a-token!", "%%%", "bm8tY29sb24", OVERFLOW], ids=["junk", "symbols", "no-colon", "overflow"]
)
def test_a_garbage_token_is_invalid_input(repositories: Stores, token: str) -> None:
    repositories.visitors.add(visitor(1))
    with pytest.raises(InvalidInput) as caught:
        repositories.visitors.list(2, token)
    assert caught.value.field == "nextToken"


def test_sightings_list_by_status(repositories: Stores) -> None:
    for n in range(5):
        repositories.sightings.add(
            sighting(n, SightingStatus.DENIED if n in (1, 3) else SightingStatus.PENDING)
        )
    assert repositories.sightings.get("s2") == sighting(2)
    assert repositories.sightings.get("s9") is None

    def pending(token: str | None) -> tuple[list[str], str | None]:
        result = repositories.sightings.list(SightingStatus.PENDING, 2, token)
        return [s.id for s in result.items], result.next_token

    def every(token: str | None) -> tuple[list[str], str | None]:
        result = repositories.sightings.list(None, 2, token)
        return [s.id for s in result.items], result.next_token

    assert all_ids(pending) == [["s4", "s2"], ["s0"]]
    assert all_ids(every) == [["s4", "s3"], ["s2", "s1"], ["s0"]]
    assert repositories.sightings.list(SightingStatus.KNOWN, 2, None).items == ()


def test_a_transition_moves_once(repositories: Stores) -> None:
    repositories.sightings.add(sighting(1))
    approved = repositories.sightings.transition("s1", PENDING, SightingStatus.APPROVED, T0 + 2 * MIN)
    expected = replace(sighting(1), status=SightingStatus.APPROVED, decided_at=T0 + 2 * MIN)
    assert approved == expected
    registered = repositories.sightings.transition(
        "s1", frozenset({SightingStatus.APPROVED}), SightingStatus.REGISTERED, T0 + 3 * MIN, "v9"
    )
    expected = replace(expected, status=SightingStatus.REGISTERED, decided_at=T0 + 3 * MIN, visitor_id="v9")
    assert registered == expected
    assert repositories.sightings.get("s1") == expected
    with pytest.raises(Conflict, match=r"^This visitor was already handled: registered\.$"):
        repositories.sightings.transition("s1", PENDING, SightingStatus.DENIED, T0 + 4 * MIN)
    assert repositories.sightings.get("s1") == expected  # a refused move changes nothing
    with pytest.raises(NotFound, match=r"^No sighting 's9'\.$"):
        repositories.sightings.transition("s9", PENDING, SightingStatus.DENIED, T0)


def code(h: str, visitor_id: str = "v1", at: datetime = T0) -> Passcode:
    return Passcode(h, visitor_id, at, at + 5 * MIN)


def test_a_live_code_is_unique(limits: Limits) -> None:
    p = limits.passcodes
    p.add(code("h1"), T0)
    with pytest.raises(PasscodeCollision):
        p.add(code("h1", "v2"), T0 + 5 * MIN - US)  # still live: another visitor may not get these digits
    p.add(code("h1", "v2", T0 + 5 * MIN), T0 + 5 * MIN)  # expired exactly now: may be reused
    assert p.consume("h1", T0 + 6 * MIN) == code("h1", "v2", T0 + 5 * MIN)
    assert p.consume("h1", T0 + 6 * MIN) is None
    assert limits.stored_passcodes() == []


def test_a_code_is_used_once_and_dies_at_expiry(limits: Limits) -> None:
    p = limits.passcodes
    p.add(code("h2"), T0)
    p.add(code("h3"), T0)
    assert p.consume("h2", T0 + 5 * MIN) is None  # at expires_at it is dead...
    assert limits.stored_passcodes() == ["h2", "h3"]  # ...but left in place, as a lazy TTL would
    assert p.consume("h3", T0 + 5 * MIN - US) == code("h3")
    assert p.consume("h3", T0 + 5 * MIN - US) is None
    assert p.consume("unknown", T0) is None
    assert limits.stored_passcodes() == ["h2"]


def test_throttle_windows(limits: Limits) -> None:
    t, start = limits.throttle, T0 + 30 * SEC  # half way into the minute that starts at T0
    assert [t.acquire("k", 2, MIN, start) for _ in range(3)] == [True, True, False]
    assert t.acquire("other", 1, MIN, start)  # keys count separately
    assert not t.acquire("k", 2, MIN, T0 + MIN - US)  # the window is the calendar minute...
    assert t.acquire("k", 2, MIN, T0 + MIN)  # ...so a new one starts at the next minute, not a minute later
    assert t.acquire("k", 2, MIN, T0 + 2 * MIN - US)
    assert not t.acquire("k", 2, MIN, T0 + 2 * MIN - US)
    assert t.acquire("k", 2, 7 * MIN, T0)  # another length is another window: floored from the epoch
    assert not t.acquire("k", 0, MIN, T0 + 5 * MIN)  # a limit of 0 counts nothing


def test_throttle_all_or_nothing(limits: Limits) -> None:
    t = limits.throttle
    rules = [ThrottleRule("a", 1, MIN), ThrottleRule("b", 2, 10 * MIN)]
    assert t.acquire_all(rules, T0)
    assert not t.acquire_all(rules, T0)  # "a" is full, so "b" is not counted either
    assert t.acquire_all(rules, T0 + MIN)
    assert not t.acquire_all(rules, T0 + 2 * MIN)  # now "b" is full (2 in 10 min)
    assert t.acquire("a", 1, MIN, T0 + 2 * MIN)  # ...and "a" was not counted by that refusal


SEC = timedelta(seconds=1)
DOOR = LockoutPolicy(free_failures=5, base=30 * SEC, ceiling=timedelta(hours=1), forget_after=10 * MIN)


def rule(client: str, lockout: LockoutPolicy = DOOR) -> AttemptRule:
    return AttemptRule(client, lockout)


def test_tries_are_counted_then_a_lock_is_armed_and_doubles(limits: Limits) -> None:
    a, c = limits.attempts, [rule("c")]
    assert [a.begin(c, T0) for _ in range(4)] == [Admission(True, None)] * 4
    assert a.begin(c, T0) == Admission(True, T0 + 30 * SEC)  # the 5th arms the lock it earns if wrong
    assert a.begin(c, T0 + 30 * SEC - US) == Admission(False, T0 + 30 * SEC)
    assert a.begin(c, T0 + 30 * SEC) == Admission(True, T0 + 90 * SEC)  # the 6th: 60 s
    assert a.begin(c, T0 + 90 * SEC) == Admission(True, T0 + 210 * SEC)  # the 7th: 120 s
    assert a.begin([rule("other")], T0 + 90 * SEC) == Admission(True, None)  # clients count separately


def test_a_lock_is_capped_and_the_doubling_never_overflows(limits: Limits) -> None:
    a, c = limits.attempts, [rule("c", LockoutPolicy(1, SEC, timedelta(days=1), timedelta(days=2)))]
    now, waits = T0, []
    for _ in range(70):  # far past 2**63 microseconds, were the exponent not capped
        admission = a.begin(c, now)
        assert admission.admitted
        assert admission.locked_until is not None
        waits.append(admission.locked_until - now)
        now = admission.locked_until
    assert waits[:3] == [SEC, 2 * SEC, 4 * SEC]
    assert waits[-1] == timedelta(days=1)


def test_a_quiet_client_starts_again_counting_from_its_lock(limits: Limits) -> None:
    a, c = limits.attempts, [rule("c", LockoutPolicy(2, MIN, timedelta(hours=1), 10 * MIN))]
    assert a.begin(c, T0) == Admission(True, None)
    assert a.begin(c, T0 + 10 * MIN) == Admission(True, None)  # quiet for exactly forget_after: try 1 again
    assert a.begin(c, T0 + 20 * MIN - US) == Admission(True, T0 + 21 * MIN - US)
    # Quiet means quiet after the lock: 10 minutes from its end the count still stands...
    assert a.begin(c, T0 + 31 * MIN - 2 * US) == Admission(True, T0 + 33 * MIN - 2 * US)
    # ...and once a lock has passed by forget_after, the client is forgiven.
    assert a.begin(c, T0 + 43 * MIN) == Admission(True, None)


def test_a_refusal_by_one_key_counts_under_none(limits: Limits) -> None:
    a = limits.attempts
    device, address = rule("device"), rule("address", LockoutPolicy(1, 30 * SEC, MIN, 10 * MIN))
    assert a.begin([device, address], T0) == Admission(True, T0 + 30 * SEC)
    assert a.begin([device, address], T0 + SEC) == Admission(False, T0 + 30 * SEC)
    # The refused try did not count for the device: it is at 1 of 5, so three more pass before the 5th.
    assert [a.begin([device], T0 + 2 * SEC) for _ in range(3)] == [Admission(True, None)] * 3
    assert a.begin([device], T0 + 2 * SEC) == Admission(True, T0 + 32 * SEC)


def test_a_late_try_cannot_shorten_a_lock(limits: Limits) -> None:
    a, c = limits.attempts, [rule("c")]
    for _ in range(5):
        a.begin(c, T0)
    assert a.begin(c, T0 + 30 * SEC) == Admission(True, T0 + 90 * SEC)
    # A try stamped earlier (another process, a slow request) arrives now, and with a milder policy.
    late = [rule("c", LockoutPolicy(free_failures=1, base=SEC, ceiling=SEC))]
    assert a.begin(late, T0 + 10 * SEC) == Admission(False, T0 + 90 * SEC)
    assert a.begin(c, T0 + 90 * SEC - US) == Admission(False, T0 + 90 * SEC)


def test_forgiving_lifts_the_armed_lock_and_the_count(limits: Limits) -> None:
    a = limits.attempts
    for _ in range(5):
        a.begin([rule("c"), rule("wide")], T0)
        a.begin([rule("other")], T0)
    a.forgive(["c", "wide"])
    assert [a.begin([rule("c"), rule("wide")], T0 + SEC) for _ in range(4)] == [Admission(True, None)] * 4
    assert a.begin([rule("other")], T0 + SEC) == Admission(False, T0 + 30 * SEC)
    a.forgive([])


def test_event_log(repositories: Stores) -> None:
    for n in range(3):
        repositories.events.record(
            DoorEvent(f"e{n}", DoorEventKind.CODE_SENT, T0 + n * MIN, visitor_id="v1", visitor_name="Ada")
        )
    page = repositories.events.list(2, None)
    assert [e.id for e in page.items] == ["e2", "e1"]
    assert [e.id for e in repositories.events.list(2, page.next_token).items] == ["e0"]
    assert page.items[0] == DoorEvent(
        "e2", DoorEventKind.CODE_SENT, T0 + 2 * MIN, visitor_id="v1", visitor_name="Ada"
    )


# --- face index ---------------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "sqlite"])
def faces(request: pytest.FixtureRequest, clock: ManualClock) -> FaceIndex:
    if request.param == "memory":
        return MemoryFaceIndex()
    return LocalFaceIndex(request.getfixturevalue("db"), SequentialIds("face"), clock)


def detected(descriptor: tuple[float, ...] | None = None) -> DetectedFace:
    return DetectedFace(BoundingBox(0.25, 0.25, 0.5, 0.5), 99.5, descriptor=descriptor)


def test_faces_are_indexed_found_and_deleted_by_face_id(faces: FaceIndex) -> None:
    ada = (0.05,) * 128
    first = faces.index_face(detected(ada), b"frame")
    second = faces.index_face(detected(ada), None)
    third = faces.index_face(detected(ada), None)
    assert (first, second, third) == ("face-1", "face-2", "face-3")
    assert sorted(m.face_id for m in faces.similar_faces(first, 90.0)) == [second, third]
    faces.delete([second, "face-unknown"])
    assert [m.face_id for m in faces.similar_faces(first, 90.0)] == [third]
    assert faces.similar_faces(second, 90.0) == ()


def test_a_descriptor_is_stored_as_float32(db: Database, clock: ManualClock) -> None:
    index = LocalFaceIndex(db, SequentialIds("face"), clock)
    descriptor = tuple(i / 256 for i in range(128))
    index.index_face(detected(descriptor), None)
    index.index_face(detected(), None)
    rows = db.connection().execute("SELECT face_id, descriptor, created_at FROM faces ORDER BY face_id")
    assert list(rows) == [
        ("face-1", array("f", descriptor).tobytes(), to_micros(T0)),
        ("face-2", None, to_micros(T0)),
    ]


# --- photo store --------------------------------------------------------------------------------------

KEY = b"photo-test-key-0123456789abcdef!"
BASE = "http://door.test"
EXPIRES = 1795436100  # T0 + 15 minutes, in epoch seconds


def sign(key: str, exp: int) -> str:
    """The documented signature, computed independently of the store."""
    message = b"smartdoor-photo\x00" + f"{key}\x00{exp}".encode()
    return base64.urlsafe_b64encode(hmac.new(KEY, message, hashlib.sha256).digest()).decode().rstrip("=")


@pytest.fixture
def files(tmp_path: Path, clock: ManualClock) -> FilePhotoStore:
    return FilePhotoStore(tmp_path / "photos", BASE + "/", KEY, clock)


def read_url(store: FilePhotoStore, url: str) -> bytes | None:
    """What the web server does with a photo link."""
    parts = urlsplit(url)
    assert parts.path.startswith("/photos/")
    query = dict(parse_qsl(parts.query))
    return store.open_signed(parts.path.removeprefix("/photos/"), query["exp"], query["sig"])


@dataclass
class Photos:
    store: PhotoStore
    read: Callable[[Photo], bytes | None]  # how a reader gets a stored photo back


@pytest.fixture(params=["memory", "files"])
def photos(request: pytest.FixtureRequest) -> Photos:
    if request.param == "memory":
        memory = MemoryPhotos("local")
        return Photos(memory, lambda photo: memory.objects.get(photo.object_key))
    files: FilePhotoStore = request.getfixturevalue("files")
    return Photos(files, lambda photo: read_url(files, files.url(photo)))


def test_photos_round_trip(photos: Photos) -> None:
    store, read, bucket = photos.store, photos.read, "local"
    photo = store.put("sightings/s1.jpg", b"first", "image/jpeg", T0)
    assert photo == Photo("sightings/s1.jpg", bucket, T0)
    assert read(photo) == b"first"
    assert store.put("sightings/s1.jpg", b"second", "image/jpeg", T0 + MIN) == replace(
        photo, created_timestamp=T0 + MIN
    )
    assert read(photo) == b"second"
    store.delete(photo)
    assert read(photo) is None
    store.delete(photo)  # deleting twice is fine, as on S3
    store.keep(photo)  # keeping a photo that is gone is fine too: nothing is left to purge


def test_a_kept_photo_stays_readable(photos: Photos) -> None:
    photo = photos.store.put("sightings/s2.jpg", b"kept", "image/jpeg", T0)
    photos.store.keep(photo)
    photos.store.keep(photo)
    assert photos.read(photo) == b"kept"


def test_a_photo_url_is_signed_and_expires(files: FilePhotoStore, clock: ManualClock) -> None:
    photo = files.put("sightings/s1.jpg", b"jpeg", "image/jpeg", T0)
    url = files.url(photo)
    assert url == f"{BASE}/photos/sightings/s1.jpg?exp={EXPIRES}&sig={sign('sightings/s1.jpg', EXPIRES)}"
    assert [p.name for p in (files.root / "sightings").iterdir()] == ["s1.jpg"]  # no temp file left
    clock.advance(minutes=15, microseconds=-1)
    assert read_url(files, url) == b"jpeg"
    clock.advance(microseconds=1)
    assert read_url(files, url) is None  # expired exactly at exp


def test_a_tampered_link_opens_nothing(files: FilePhotoStore) -> None:
    files.put("sightings/s1.jpg", b"one", "image/jpeg", T0)
    files.put("sightings/s2.jpg", b"two", "image/jpeg", T0)
    good = sign("sightings/s1.jpg", EXPIRES)
    assert files.open_signed("sightings/s1.jpg", str(EXPIRES), good) == b"one"
    flipped = ("A" if good[0] != "A" else "B") + good[1:]
    assert files.open_signed("sightings/s1.jpg", str(EXPIRES), flipped) is None
    assert files.open_signed("sightings/s1.jpg", str(EXPIRES + 3600), good) is None  # longer life
    assert files.open_signed("sightings/s2.jpg", str(EXPIRES), good) is None  # another photo
    assert files.open_signed("sightings/s1.jpg", str(EXPIRES), "é" + good[1:]) is None
    for exp in ("", "-1", "²", "9" * 5000, " 1795436100"):
        assert files.open_signed("sightings/s1.jpg", exp, good) is None
    missing = sign("sightings/s3.jpg", EXPIRES)
    assert files.open_signed("sightings/s3.jpg", str(EXPIRES), missing) is None


@pytest.mark.parametrize(
    "key",
    ["../outside.jpg", "/etc/passwd", "sightings/../../x.jpg", "a\\b.jpg", "", ".hidden", "a//b.jpg", "a b"],
)
def test_a_bad_key_is_refused(files: FilePhotoStore, tmp_path: Path, key: str) -> None:
    with pytest.raises(InvalidInput):
        files.put(key, b"x", "image/jpeg", T0)
    with pytest.raises(InvalidInput):
        files.delete(Photo(key, "local", T0))
    assert files.open_signed(key, str(EXPIRES), sign(key, EXPIRES)) is None
    assert list(tmp_path.iterdir()) == []  # nothing was written, not even the photo folder
