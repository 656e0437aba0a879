"""A face event whose owner's email could not be queued, on real storage (SQLite with a trigger that
refuses it, DynamoDB on the moto server with an outbox that is not there): no sighting is stored, the
event's claim is given back, and the stream's retry makes exactly one sighting and one email."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from smartdoor.adapters.aws.dynamo_claims import DynamoClaims
from smartdoor.adapters.aws.dynamo_new_sightings import DynamoNewSightings
from smartdoor.adapters.aws.dynamo_outbox import DynamoOutbox
from smartdoor.adapters.aws.dynamo_sightings import DynamoSightings
from smartdoor.adapters.aws.outbox_dispatcher import OutboxDispatcher
from smartdoor.adapters.aws.tables import LIMITS, OUTBOX, SIGHTINGS, create_table
from smartdoor.adapters.local.database import Database
from smartdoor.adapters.local.outbox import Outbox
from smartdoor.adapters.local.sqlite_claims import SqliteClaims
from smartdoor.adapters.local.sqlite_new_sightings import SqliteNewSightings
from smartdoor.adapters.local.sqlite_sightings import SqliteSightings
from smartdoor.adapters.memory.clock_ids import SequentialIds
from smartdoor.adapters.memory.messaging import MemoryMailer, MemorySms
from smartdoor.domain.errors import StorageUnavailable
from smartdoor.domain.model import FaceEvent, SightingStatus
from smartdoor.edges.face_records import decode_face_record
from smartdoor.services.context import Door
from smartdoor.services.sightings import record_face_event
from tests.integration.moto_fixtures import Aws
from tests.unit.conftest import Fakes, make_fakes

pytestmark = pytest.mark.integration

EVENTS = Path(__file__).resolve().parents[1] / "events"


@dataclass
class Stored:
    door: Door
    queued: Callable[[], list[str]]  # the keys of the queued emails, oldest first
    fail_outbox: Callable[[bool], None]


def _sqlite(fakes: Fakes, db: Database) -> Stored:
    sightings, outbox = SqliteSightings(db), Outbox(db, fakes.door.clock)
    door = replace(
        fakes.door,
        sightings=sightings,
        claims=SqliteClaims(db),
        mailer=outbox,
        new_sightings=SqliteNewSightings(db, sightings, outbox),
    )

    def fail(on: bool) -> None:
        db.connection().execute(
            "CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox WHEN NEW.kind = 'email'"
            " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            if on
            else "DROP TRIGGER refuse_mail"
        )

    return Stored(door, lambda: [str(m.key) for m in reversed(outbox.list(kind="email"))], fail)


def _dynamodb(fakes: Fakes, aws: Aws) -> Stored:
    client, clock = aws.dynamodb(), fakes.door.clock
    sightings_table, outbox_table = create_table(client, SIGHTINGS), create_table(client, OUTBOX)
    sightings = DynamoSightings(client, sightings_table)
    outbox = DynamoOutbox(client, clock, SequentialIds("msg"), outbox_table)
    broken = DynamoOutbox(client, clock, SequentialIds("msg"), "no-such-outbox")
    door = replace(
        fakes.door,
        sightings=sightings,
        claims=DynamoClaims(client, create_table(client, LIMITS)),
        mailer=outbox,
        new_sightings=DynamoNewSightings(client, outbox, sightings_table),
    )
    stored = Stored(door, lambda: [], lambda on: None)

    def fail(on: bool) -> None:
        unit = DynamoNewSightings(client, broken if on else outbox, sightings_table)
        stored.door = replace(stored.door, new_sightings=unit)

    def queued() -> list[str]:
        return OutboxDispatcher(client, MemoryMailer(), MemorySms(), clock, "inspector", outbox_table).due()

    stored.queued, stored.fail_outbox = queued, fail
    return stored


@pytest.fixture(params=["sqlite", "dynamodb"])
def stored(request: pytest.FixtureRequest) -> Stored:
    fakes = make_fakes()
    if request.param == "dynamodb":
        return _dynamodb(fakes, request.getfixturevalue("aws"))
    return _sqlite(fakes, request.getfixturevalue("db"))


def stranger() -> FaceEvent:
    loaded: dict[str, Any] = json.loads((EVENTS / "unknown_face.json").read_text())
    event = decode_face_record(loaded)
    # With a descriptor, the memory face index finds the attempt's face again if it were left behind.
    face = replace(event.faces[0], descriptor=tuple(0.01 * i for i in range(128)))
    return replace(event, faces=(face,))


def test_an_email_that_could_not_be_queued_is_retried_with_its_sighting(stored: Stored) -> None:
    event = stranger()
    [key] = event.face_keys()
    stored.fail_outbox(True)
    with pytest.raises(StorageUnavailable):
        record_face_event(stored.door, event, b"\xff\xd8jpeg")
    assert stored.door.sightings.list(None, 10, None).items == ()
    assert stored.queued() == []
    now = stored.door.clock.now()
    claims = stored.door.claims
    assert claims.claim(f"face-event:{key}", now, now)  # given back (this claim lapses at once)
    # WHEN the stream delivers it again, and again
    stored.fail_outbox(False)
    [sighting] = record_face_event(stored.door, event, b"\xff\xd8jpeg")
    assert record_face_event(stored.door, event, b"\xff\xd8jpeg") == []
    # THEN one sighting, one email, keyed by that sighting
    assert [s.id for s in stored.door.sightings.list(SightingStatus.PENDING, 10, None).items] == [sighting.id]
    assert stored.queued() == [f"email:sighting:{sighting.id}"]


def test_a_transaction_that_committed_but_timed_out_is_one_sighting(aws: Aws) -> None:
    # GIVEN DynamoDB commits the unit's TransactWriteItems, and the answer is lost on the way back
    stored = _dynamodb(make_fakes(), aws)
    client = aws.dynamodb()
    lost: list[str] = []

    def lose_the_answer(**_: object) -> None:
        if not lost:
            lost.append("answer")
            raise ReadTimeoutError(endpoint_url=aws.endpoint)

    client.meta.events.register("after-call.dynamodb.TransactWriteItems", lose_the_answer)
    try:
        # WHEN the face event is handled THEN the stored sighting is its outcome, with one email
        [sighting] = record_face_event(stored.door, stranger(), b"\xff\xd8jpeg")
    finally:
        client.meta.events.unregister("after-call.dynamodb.TransactWriteItems", lose_the_answer)
    assert lost == ["answer"]
    assert stored.queued() == [f"email:sighting:{sighting.id}"]
    # AND its face stayed its own: a later frame of the stranger makes no second sighting or email
    assert record_face_event(stored.door, replace(stranger(), event_id=None)) == []
    assert [s.id for s in stored.door.sightings.list(None, 10, None).items] == [sighting.id]
    assert stored.queued() == [f"email:sighting:{sighting.id}"]
