"""One contract for the registration unit of work: the memory fake, SQLite and DynamoDB (one
TransactWriteItems, on the moto server) write all of it or nothing."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from smartdoor.adapters.aws import tables
from smartdoor.adapters.aws.dynamo_claims import DynamoClaims
from smartdoor.adapters.aws.dynamo_face_owners import DynamoFaceOwners
from smartdoor.adapters.aws.dynamo_limits import DynamoThrottle
from smartdoor.adapters.aws.dynamo_outbox import DynamoOutbox
from smartdoor.adapters.aws.dynamo_registrations import DynamoRegistrations, TableNames
from smartdoor.adapters.aws.dynamo_sightings import DynamoSightings
from smartdoor.adapters.aws.dynamo_visitors import DynamoVisitors
from smartdoor.adapters.local.database import Database
from smartdoor.adapters.local.face_index import LocalFaceIndex
from smartdoor.adapters.local.outbox import Outbox
from smartdoor.adapters.local.sqlite_claims import SqliteClaims
from smartdoor.adapters.local.sqlite_face_owners import SqliteFaceOwners
from smartdoor.adapters.local.sqlite_limits import SqliteThrottle
from smartdoor.adapters.local.sqlite_passcodes import SqlitePasscodes
from smartdoor.adapters.local.sqlite_registrations import SqliteRegistrations
from smartdoor.adapters.local.sqlite_sightings import SqliteSightings
from smartdoor.adapters.local.sqlite_visitors import SqliteVisitors
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.messaging import MemorySms
from smartdoor.adapters.memory.registrations import MemoryRegistrations
from smartdoor.adapters.memory.stores import (
    MemoryClaims,
    MemoryFaceIndex,
    MemoryFaceOwners,
    MemoryPasscodes,
    MemorySightings,
    MemoryThrottle,
    MemoryVisitors,
)
from smartdoor.domain.errors import (
    Conflict,
    NotFound,
    PasscodeCollision,
    SmsLimitReached,
    StorageUnavailable,
)
from smartdoor.domain.links import LinkUsed
from smartdoor.domain.model import (
    BoundingBox,
    DetectedFace,
    FaceOwner,
    OwnedFace,
    Passcode,
    Sighting,
    SightingStatus,
    Sms,
    Visitor,
)
from smartdoor.ports import (
    Claim,
    Claims,
    FaceIndex,
    FaceOwners,
    PasscodeDelivery,
    Registrations,
    RegistrationUnit,
    SightingRepository,
    Throttle,
    ThrottleRule,
    VisitorRepository,
)
from tests.integration.moto_fixtures import Aws

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
REGISTRABLE = frozenset({SightingStatus.PENDING, SightingStatus.APPROVED})
LIMITS = (ThrottleRule("sms:0:+12025550100", 1, timedelta(minutes=1)),)
LINK = Claim("link:n1", T0 + timedelta(days=1))


@dataclass
class Stores:
    """The stores a registration touches, the unit under test, and what each implementation can show."""

    registrations: Registrations
    sightings: SightingRepository
    visitors: VisitorRepository
    faces: FaceIndex
    owners: FaceOwners
    throttle: Throttle
    claims: Claims
    live_hashes: Callable[[], list[str]]
    texts: Callable[[], list[str]]  # every SMS queued, oldest first
    fail_visitor_adds: Callable[[bool], None]
    fail_sms_queue: Callable[[bool], None]

    def label(self, face_id: str) -> str | None:
        """Whose the face is, as ``sighting-<id>`` or ``visitor-<id>``."""
        owned = self.owners.get(face_id)
        return f"{owned.owner.kind.value.lower()}-{owned.owner.id}" if owned else None


def _memory() -> Stores:
    sightings, visitors, faces = MemorySightings(), MemoryVisitors(), MemoryFaceIndex()
    passcodes, throttle, sms = MemoryPasscodes(), MemoryThrottle(), MemorySms()
    owners, claims = MemoryFaceOwners(), MemoryClaims()

    def fail(on: bool) -> None:
        visitors.fail_adds = on

    def fail_sms(on: bool) -> None:
        sms.fail = on

    return Stores(
        MemoryRegistrations(sightings, visitors, owners, passcodes, throttle, sms, claims),
        sightings,
        visitors,
        faces,
        owners,
        throttle,
        claims,
        lambda: sorted(passcodes.items),
        lambda: [m.text for m in sms.sent],
        fail,
        fail_sms,
    )


def _sqlite(db: Database, clock: ManualClock) -> Stores:
    sightings, visitors = SqliteSightings(db), SqliteVisitors(db)
    faces, passcodes = LocalFaceIndex(db, SequentialIds("face"), clock), SqlitePasscodes(db)
    throttle, outbox = SqliteThrottle(db), Outbox(db, clock)
    owners, claims = SqliteFaceOwners(db, faces), SqliteClaims(db)

    def fail(on: bool) -> None:
        # A real SQLite failure, inside the transaction, after the sighting's UPDATE.
        sql = (
            "CREATE TRIGGER refuse_visitors BEFORE INSERT ON visitors BEGIN SELECT RAISE(ABORT, 'full'); END"
            if on
            else "DROP TRIGGER refuse_visitors"
        )
        db.connection().execute(sql)

    def fail_sms(on: bool) -> None:
        sql = (
            "CREATE TRIGGER refuse_sms BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            if on
            else "DROP TRIGGER refuse_sms"
        )
        db.connection().execute(sql)

    def hashes() -> list[str]:
        return [r[0] for r in db.connection().execute("SELECT code_hash FROM passcodes ORDER BY 1")]

    return Stores(
        SqliteRegistrations(db, sightings, visitors, owners, passcodes, throttle, outbox, claims),
        sightings,
        visitors,
        faces,
        owners,
        throttle,
        claims,
        hashes,
        lambda: [m.text for m in reversed(outbox.list(kind="sms"))],
        fail,
        fail_sms,
    )


def _dynamodb(aws: Aws, clock: ManualClock, request: pytest.FixtureRequest) -> Stores:
    client = aws.dynamodb()
    names = {t.logical: tables.create_table(client, t) for t in tables.TABLES if t is not tables.TIMELINE}
    sightings, visitors = (
        DynamoSightings(client, names["sightings"]),
        DynamoVisitors(client, names["visitors"]),
    )
    owners, claims = DynamoFaceOwners(client, names["faces"]), DynamoClaims(client, names["limits"])
    outbox = DynamoOutbox(client, clock, SequentialIds("msg"), names["outbox"])
    table_names = TableNames(
        names["sightings"], names["visitors"], names["faces"], names["passcodes"], names["limits"]
    )
    # A real failure inside the transaction: the server refuses one item (its table does not exist), after
    # the items before it. The hook is on the session's shared client, so it leaves with the test.
    missing: set[str] = set()

    def refuse_items(params: dict[str, Any], **_: Any) -> None:
        for item in params.get("TransactItems", []):
            for write in item.values():
                if write["TableName"] in missing:
                    write["TableName"] += "-gone"

    event = "provide-client-params.dynamodb.TransactWriteItems"
    client.meta.events.register(event, refuse_items, unique_id="test-registrations-refuse")
    request.addfinalizer(lambda: client.meta.events.unregister(event, unique_id="test-registrations-refuse"))

    def failing(table: str) -> Callable[[bool], None]:
        return lambda on: missing.add(table) if on else missing.discard(table)

    def scan(table: str) -> list[dict[str, Any]]:
        return list(client.scan(TableName=table, ConsistentRead=True).get("Items", []))

    def texts() -> list[str]:
        sms = [i for i in scan(names["outbox"]) if i["kind"]["S"] == "sms"]
        return [i["text"]["S"] for i in sorted(sms, key=lambda i: i["createdKey"]["S"])]

    return Stores(
        DynamoRegistrations(client, outbox, table_names),
        sightings,
        visitors,
        MemoryFaceIndex(),  # face ids only: the index is not part of the unit
        owners,
        DynamoThrottle(client, names["limits"]),
        claims,
        lambda: sorted(i["codeHash"]["S"] for i in scan(names["passcodes"])),
        texts,
        failing(names["visitors"]),
        failing(names["outbox"]),
    )


@pytest.fixture(params=["memory", "sqlite", "dynamodb"])
def stores(request: pytest.FixtureRequest, clock: ManualClock) -> Stores:
    if request.param == "memory":
        return _memory()
    if request.param == "dynamodb":
        return _dynamodb(request.getfixturevalue("aws"), clock, request)
    return _sqlite(request.getfixturevalue("db"), clock)


def given_a_sighting(stores: Stores, n: int = 1) -> Sighting:
    face_id = stores.faces.index_face(DetectedFace(BoundingBox(0.2, 0.2, 0.5, 0.5), 99.0), None)
    stores.owners.add(OwnedFace(face_id, FaceOwner.sighting(f"s{n}"), T0))
    sighting = Sighting(f"s{n}", face_id, "door", SightingStatus.PENDING, T0)
    stores.sightings.add(sighting)
    return sighting


def unit_for(
    sighting: Sighting,
    code_hash: str = "h1",
    link: Claim | None = None,
    limits: tuple[ThrottleRule, ...] = LIMITS,
) -> RegistrationUnit:
    visitor = Visitor(f"v-{sighting.id}", sighting.face_id, "Ada", "+12025550100", (), T0)
    passcode = Passcode(code_hash, visitor.id, T0, T0 + timedelta(minutes=5))
    delivery = PasscodeDelivery(passcode, Sms("+12025550100", f"code for {visitor.id}"), limits)
    return RegistrationUnit(sighting.id, REGISTRABLE, visitor, link, delivery)


def assert_untouched(stores: Stores, sighting: Sighting, hashes: list[str] | None = None) -> None:
    stored = stores.sightings.get(sighting.id)
    assert stored is not None
    assert (stored.status, stored.visitor_id) == (SightingStatus.PENDING, None)
    assert stores.visitors.get(f"v-{sighting.id}") is None
    assert stores.label(sighting.face_id) == f"sighting-{sighting.id}"
    assert stores.live_hashes() == (hashes or [])
    assert stores.texts() == []


def test_a_unit_writes_everything(stores: Stores) -> None:
    sighting = given_a_sighting(stores)
    unit = unit_for(sighting, link=LINK)
    stores.registrations.register(unit, T0)
    registered = stores.sightings.get("s1")
    assert registered is not None
    assert (registered.status, registered.visitor_id, registered.decided_at) == (
        SightingStatus.REGISTERED,
        "v-s1",
        T0,
    )
    assert stores.visitors.get("v-s1") == unit.visitor
    assert stores.label(sighting.face_id) == "visitor-v-s1"
    assert stores.live_hashes() == ["h1"]
    assert stores.texts() == ["code for v-s1"]
    # The link and the phone's allowance were counted by the same unit.
    assert not stores.claims.claim(LINK.key, LINK.expires_at, T0)
    assert not stores.throttle.acquire_all(LIMITS, T0)


def test_without_a_delivery_no_passcode_and_no_sms(stores: Stores) -> None:
    sighting = given_a_sighting(stores)
    stores.registrations.register(replace(unit_for(sighting), delivery=None), T0)
    assert stores.visitors.get("v-s1") is not None
    assert (stores.live_hashes(), stores.texts()) == ([], [])
    assert stores.throttle.acquire_all(LIMITS, T0)  # the allowance is still there


def test_a_registered_sighting_is_a_conflict_and_a_missing_one_not_found(stores: Stores) -> None:
    sighting = given_a_sighting(stores)
    stores.registrations.register(unit_for(sighting), T0)
    again = replace(unit_for(sighting, "h2"), visitor=replace(unit_for(sighting).visitor, id="v-other"))
    with pytest.raises(Conflict):
        stores.registrations.register(again, T0)
    assert stores.visitors.get("v-other") is None
    assert stores.live_hashes() == ["h1"]
    with pytest.raises(NotFound):
        stores.registrations.register(replace(unit_for(sighting, "h3"), sighting_id="nope"), T0)
    assert stores.live_hashes() == ["h1"]


def test_a_storage_failure_midway_writes_nothing(stores: Stores) -> None:
    sighting = given_a_sighting(stores)
    stores.fail_visitor_adds(True)
    with pytest.raises(StorageUnavailable):
        stores.registrations.register(unit_for(sighting, link=LINK), T0)
    assert_untouched(stores, sighting)
    stores.fail_visitor_adds(False)
    # The link was not spent and the phone's allowance not used: the same unit goes through now.
    stores.registrations.register(unit_for(sighting, link=LINK), T0)
    assert stores.label(sighting.face_id) == "visitor-v-s1"
    assert stores.texts() == ["code for v-s1"]


def test_a_passcode_collision_writes_nothing(stores: Stores) -> None:
    # GIVEN another visitor holds the live code whose hash is "taken"
    holder, sighting = given_a_sighting(stores, 1), given_a_sighting(stores, 2)
    stores.registrations.register(unit_for(holder, "taken", limits=()), T0)
    with pytest.raises(PasscodeCollision):
        stores.registrations.register(unit_for(sighting, "taken"), T0)
    stored = stores.sightings.get(sighting.id)
    assert stored is not None
    assert stored.status is SightingStatus.PENDING
    assert stores.visitors.get("v-s2") is None
    assert stores.label(sighting.face_id) == "sighting-s2"
    assert stores.live_hashes() == ["taken"]
    assert stores.texts() == ["code for v-s1"]
    assert stores.throttle.acquire_all(LIMITS, T0)  # the collision did not use the phone's allowance


def test_a_used_link_writes_nothing(stores: Stores) -> None:
    sighting = given_a_sighting(stores)
    assert stores.claims.claim(LINK.key, LINK.expires_at, T0)
    with pytest.raises(LinkUsed):
        stores.registrations.register(unit_for(sighting, link=LINK), T0)
    assert_untouched(stores, sighting)


def test_a_full_sms_limit_writes_nothing(stores: Stores) -> None:
    sighting = given_a_sighting(stores)
    assert stores.throttle.acquire_all(LIMITS, T0)
    with pytest.raises(SmsLimitReached):
        stores.registrations.register(unit_for(sighting, link=LINK), T0)
    assert_untouched(stores, sighting)
    assert stores.claims.claim(LINK.key, LINK.expires_at, T0)  # the link claim was undone with the rest


def delivery(code_hash: str = "h1") -> PasscodeDelivery:
    passcode = Passcode(code_hash, "v1", T0, T0 + timedelta(minutes=5))
    return PasscodeDelivery(passcode, Sms("+12025550100", f"code {code_hash}"), LIMITS)


def test_a_passcode_is_issued_with_its_sms_or_not_at_all(stores: Stores) -> None:
    stores.fail_sms_queue(True)
    with pytest.raises(StorageUnavailable):
        stores.registrations.issue_passcode(delivery("h1"), T0)
    assert (stores.live_hashes(), stores.texts()) == ([], [])
    stores.fail_sms_queue(False)
    stores.registrations.issue_passcode(delivery("h1"), T0)  # the failed try used none of the allowance
    assert (stores.live_hashes(), stores.texts()) == (["h1"], ["code h1"])
    with pytest.raises(SmsLimitReached):
        stores.registrations.issue_passcode(delivery("h2"), T0)
    assert (stores.live_hashes(), stores.texts()) == (["h1"], ["code h1"])


def test_a_colliding_passcode_is_not_issued_and_counts_no_sms(stores: Stores) -> None:
    stores.registrations.issue_passcode(replace(delivery("taken"), limits=()), T0)
    with pytest.raises(PasscodeCollision):
        stores.registrations.issue_passcode(delivery("taken"), T0)
    assert (stores.live_hashes(), stores.texts()) == (["taken"], ["code taken"])
    assert stores.throttle.acquire_all(LIMITS, T0)


def test_of_ten_concurrent_units_one_registers(stores: Stores) -> None:
    sighting = given_a_sighting(stores)
    barrier = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        unit = unit_for(sighting, f"h{i}", limits=())
        barrier.wait()
        try:
            stores.registrations.register(unit, T0)
            outcome = "registered"
        except Conflict:
            outcome = "conflict"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["conflict"] * 9 + ["registered"]
    assert len(stores.live_hashes()) == 1
    assert len(stores.texts()) == 1


# --- SQLite: savepoints and what runs after commit ------------------------------------------------------


class Boom(Exception):
    pass


def fail_in_transaction(db: Database, work: Callable[[sqlite3.Connection], object]) -> None:
    with db.transaction() as conn:
        work(conn)
        raise Boom


def test_a_failed_inner_transaction_undoes_only_its_own_writes(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute("INSERT INTO throttle (key, count, window_end) VALUES ('outer', 1, 0)")
        with pytest.raises(Boom):
            fail_in_transaction(
                db, lambda inner: inner.execute("INSERT INTO throttle VALUES ('inner', 1, 0)")
            )
    rows = db.connection().execute("SELECT key FROM throttle").fetchall()
    assert rows == [("outer",)]


def test_after_commit_actions_run_only_when_the_outer_transaction_commits(db: Database) -> None:
    ran: list[str] = []
    db.after_commit(lambda: ran.append("no transaction: at once"))
    with db.transaction():
        db.after_commit(lambda: ran.append("committed"))
        with pytest.raises(Boom):
            fail_in_transaction(db, lambda _: db.after_commit(lambda: ran.append("inner, rolled back")))
        assert ran == ["no transaction: at once"]
    with pytest.raises(Boom):
        fail_in_transaction(db, lambda _: db.after_commit(lambda: ran.append("outer, rolled back")))
    assert ran == ["no transaction: at once", "committed"]
    assert not db.connection().in_transaction


def test_a_rolled_back_registration_leaves_the_face_searchable_as_the_sighting(
    db: Database, clock: ManualClock
) -> None:
    stores = _sqlite(db, clock)
    index = stores.faces
    assert isinstance(index, LocalFaceIndex)
    descriptor = tuple(((i % 7) - 3) / 10 for i in range(128))
    face_id = index.index_face(
        DetectedFace(BoundingBox(0.2, 0.2, 0.5, 0.5), 99.0, descriptor=descriptor), None
    )
    stores.owners.add(OwnedFace(face_id, FaceOwner.sighting("s1"), T0))
    stores.sightings.add(Sighting("s1", face_id, "door", SightingStatus.PENDING, T0))
    assert index.search(descriptor).match is not None  # loads the matrix
    # WHEN a registration fails after the face was given to the visitor (the phone's SMS limit is full)
    assert stores.throttle.acquire_all(LIMITS, T0)
    with pytest.raises(SmsLimitReached):
        stores.registrations.register(
            unit_for(Sighting("s1", face_id, "door", SightingStatus.PENDING, T0)), T0
        )
    # AND another face indexed afterwards (its version number is the one the rollback gave back)
    other = tuple(((i % 5) - 2) / 10 for i in range(128))
    other_id = index.index_face(DetectedFace(BoundingBox(0.1, 0.1, 0.3, 0.3), 99.0, descriptor=other), None)
    # THEN the search sees the database as it is: the face is still the sighting's, the new one is there
    found = index.search(descriptor).match
    assert found is not None
    assert (found.face_id, found.external_image_id) == (face_id, "SIGHTING:s1")  # grouped by owner
    found = index.search(other).match
    assert found is not None
    assert found.face_id == other_id
    unit = unit_for(Sighting("s1", face_id, "door", SightingStatus.PENDING, T0), limits=())
    stores.registrations.register(unit, T0)
    found = index.search(descriptor).match
    assert found is not None
    assert found.external_image_id == "VISITOR:v-s1"
