"""One contract for the new-sighting unit of work and for keyed messages in the outboxes: the memory fake,
SQLite and DynamoDB on the moto server store a stranger's sighting with the owner's email, or neither."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from smartdoor.adapters.aws.dynamo_new_sightings import DynamoNewSightings
from smartdoor.adapters.aws.dynamo_outbox import DynamoOutbox
from smartdoor.adapters.aws.dynamo_sightings import DynamoSightings
from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
from smartdoor.adapters.aws.tables import OUTBOX, SIGHTINGS, create_table
from smartdoor.adapters.local.database import Database
from smartdoor.adapters.local.outbox import Outbox
from smartdoor.adapters.local.sqlite_new_sightings import SqliteNewSightings
from smartdoor.adapters.local.sqlite_sightings import SqliteSightings
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.adapters.memory.messaging import MemoryMailer, MemorySms
from smartdoor.adapters.memory.new_sightings import MemoryNewSightings
from smartdoor.adapters.memory.stores import MemorySightings
from smartdoor.domain.errors import Conflict, StorageUnavailable
from smartdoor.domain.message_keys import sighting_email_key
from smartdoor.domain.model import Email, Sighting, SightingStatus
from smartdoor.ports import NewSightings, SightingRepository
from tests.integration.moto_fixtures import Aws

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@dataclass
class Rig:
    """The unit under test, the outbox it queues into, and what each implementation can show."""

    units: NewSightings
    sightings: SightingRepository
    queued: Callable[[], list[str]]  # every queued email's key, oldest first
    fail_outbox: Callable[[bool], None]  # makes queueing a message fail with a storage error


def _memory() -> Rig:
    sightings, mailer = MemorySightings(), MemoryMailer()

    def fail(on: bool) -> None:
        mailer.fail = on

    return Rig(
        MemoryNewSightings(sightings, mailer),
        sightings,
        lambda: [str(e.key) for e in mailer.sent],
        fail,
    )


def _sqlite(db: Database, clock: ManualClock) -> Rig:
    sightings, outbox = SqliteSightings(db), Outbox(db, clock)

    def fail(on: bool) -> None:
        # A real SQLite failure inside the unit's transaction, after the sighting's INSERT.
        db.connection().execute(
            "CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            if on
            else "DROP TRIGGER refuse_mail"
        )

    return Rig(
        SqliteNewSightings(db, sightings, outbox),
        sightings,
        lambda: [str(m.key) for m in reversed(outbox.list())],
        fail,
    )


def _dynamodb(aws: Aws, clock: ManualClock) -> Rig:
    client = aws.dynamodb()
    sightings_table, outbox_table = create_table(client, SIGHTINGS), create_table(client, OUTBOX)
    outbox = DynamoOutbox(client, clock, SequentialIds("msg"), outbox_table)
    # A unit whose outbox table is not there: the transaction fails as a whole (a storage failure).
    broken = DynamoOutbox(client, clock, SequentialIds("msg"), "no-such-outbox")
    units = {"unit": DynamoNewSightings(client, outbox, sightings_table)}

    def fail(on: bool) -> None:
        units["unit"] = DynamoNewSightings(client, broken if on else outbox, sightings_table)

    class Current:
        def open(self, sighting: Sighting, email: Email) -> None:
            units["unit"].open(sighting, email)

    def queued() -> list[str]:
        return OutboxDispatcher(client, MemoryMailer(), MemorySms(), clock, "inspector", outbox_table).due()

    return Rig(Current(), DynamoSightings(client, sightings_table), queued, fail)


@pytest.fixture(params=["memory", "sqlite", "dynamodb"])
def rig(request: pytest.FixtureRequest, clock: ManualClock) -> Rig:
    if request.param == "memory":
        return _memory()
    if request.param == "dynamodb":
        return _dynamodb(request.getfixturevalue("aws"), clock)
    return _sqlite(request.getfixturevalue("db"), clock)


def stranger(sighting_id: str = "s1") -> Sighting:
    return Sighting(sighting_id, f"face-{sighting_id}", "door", SightingStatus.PENDING, T0)


def owners_email(sighting: Sighting) -> Email:
    return Email(
        "owner@example.com", f"Visitor {sighting.id}", "Someone is here.", "<p>Someone</p>", (),
        sighting_email_key(sighting.id),
    )  # fmt: skip


def test_a_unit_stores_the_sighting_with_its_email(rig: Rig) -> None:
    rig.units.open(stranger(), owners_email(stranger()))
    assert rig.sightings.get("s1") == stranger()
    assert rig.queued() == ["email:sighting:s1"]


def test_a_failure_queueing_the_email_stores_no_sighting(rig: Rig) -> None:
    rig.fail_outbox(True)
    with pytest.raises(StorageUnavailable):
        rig.units.open(stranger(), owners_email(stranger()))
    assert rig.sightings.get("s1") is None
    assert rig.queued() == []
    # AND the same unit goes through once the outbox is back
    rig.fail_outbox(False)
    rig.units.open(stranger(), owners_email(stranger()))
    assert rig.sightings.get("s1") == stranger()
    assert rig.queued() == ["email:sighting:s1"]


def test_the_same_unit_applied_twice_queues_one_email(rig: Rig) -> None:
    rig.units.open(stranger(), owners_email(stranger()))
    # A retry after an ambiguous failure: the sighting is there, so nothing of it is written again.
    changed = replace(stranger(), camera_id="porch")
    with pytest.raises(Conflict):
        rig.units.open(changed, replace(owners_email(stranger()), subject="again"))
    assert rig.sightings.get("s1") == stranger()
    assert rig.queued() == ["email:sighting:s1"]


def test_a_sighting_id_taken_by_another_sighting_is_a_conflict(rig: Rig) -> None:
    rig.units.open(stranger(), owners_email(stranger()))
    with pytest.raises(Conflict):
        rig.units.open(stranger(), owners_email(stranger("s2")))
    assert rig.queued() == ["email:sighting:s1"]
    rig.units.open(stranger("s2"), owners_email(stranger("s2")))
    assert rig.queued() == ["email:sighting:s1", "email:sighting:s2"]


def test_of_concurrent_units_of_one_sighting_one_is_stored(rig: Rig) -> None:
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            rig.units.open(replace(stranger(), camera_id=f"cam{i}"), owners_email(stranger()))
            outcome = "stored"
        except Conflict:
            outcome = "conflict"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["conflict"] * 7 + ["stored"]
    assert rig.queued() == ["email:sighting:s1"]
