"""Whose each face is: the in-memory fake, SQLite and DynamoDB keep one contract; the migration turns the
local index's old labels into ownership rows."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smartdoor.adapters.aws.dynamo_face_owners import DynamoFaceOwners
from smartdoor.adapters.aws.tables import FACES, create_table
from smartdoor.adapters.local.database import MIGRATIONS, Database, _statements, to_micros
from smartdoor.adapters.local.sqlite_face_owners import SqliteFaceOwners
from smartdoor.adapters.memory.stores import MemoryFaceOwners
from smartdoor.domain.errors import Conflict
from smartdoor.domain.model import FaceOwner, OwnedFace
from smartdoor.ports import FaceOwners

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
S1, S2, V1 = FaceOwner.sighting("s1"), FaceOwner.sighting("s2"), FaceOwner.visitor("v1")


@pytest.fixture(params=["memory", "sqlite", "dynamodb"])
def owners(request: pytest.FixtureRequest) -> FaceOwners:
    if request.param == "memory":
        return MemoryFaceOwners()
    if request.param == "dynamodb":
        client = request.getfixturevalue("aws").dynamodb()
        return DynamoFaceOwners(client, create_table(client, FACES))
    return SqliteFaceOwners(request.getfixturevalue("db"))


def test_a_face_has_one_owner_from_the_start(owners: FaceOwners) -> None:
    owners.add(OwnedFace("f1", S1, T0, settled=False))
    with pytest.raises(Conflict):
        owners.add(OwnedFace("f1", V1, T0 + MIN))
    assert owners.get("f1") == OwnedFace("f1", S1, T0, settled=False)
    assert owners.get("f-unknown") is None


def test_a_face_is_given_only_from_its_current_owner(owners: FaceOwners) -> None:
    owners.add(OwnedFace("f1", S1, T0, settled=False))
    owners.give("f1", V1, expected=S1)
    assert owners.get("f1") == OwnedFace("f1", V1, T0)  # given: settled
    with pytest.raises(Conflict):
        owners.give("f1", FaceOwner.visitor("v2"), expected=S1)  # a second registration of the sighting
    with pytest.raises(Conflict):
        owners.give("f-gone", V1, expected=S1)  # forgotten meanwhile
    assert owners.get("f1") == OwnedFace("f1", V1, T0)


def test_an_owners_faces_are_listed_and_deleted(owners: FaceOwners) -> None:
    for face_id, owner in (("f2", V1), ("f1", V1), ("f3", S2)):
        owners.add(OwnedFace(face_id, owner, T0))
    assert owners.faces_of(V1) == ("f1", "f2")
    assert owners.faces_of(FaceOwner.sighting("v1")) == ()  # a kind and an id, not an id alone
    owners.delete(["f1", "f2", "f-unknown"])
    assert (owners.faces_of(V1), owners.faces_of(S2)) == ((), ("f3",))


def test_settle_first_settles_once_and_drops_the_unsettled_rivals(owners: FaceOwners) -> None:
    for face_id in ("f1", "f2", "f3"):
        owners.add(OwnedFace(face_id, FaceOwner.sighting(f"s-{face_id}"), T0, settled=False))
    assert owners.settle_first("f1", ["f2"])
    assert owners.get("f1") == OwnedFace("f1", FaceOwner.sighting("s-f1"), T0)
    assert owners.get("f2") is None  # dropped: its contender sees that it lost
    assert not owners.settle_first("f2", ["f3"])
    assert not owners.settle_first("f3", ["f1"])  # a rival won already
    assert not owners.settle_first("f1", [])  # settled once
    assert owners.get("f3") == OwnedFace("f3", FaceOwner.sighting("s-f3"), T0, settled=False)


def test_of_concurrent_contenders_who_all_see_each_other_exactly_one_settles(owners: FaceOwners) -> None:
    contenders = [f"f{n:02d}" for n in range(20)]
    for face_id in contenders:
        owners.add(OwnedFace(face_id, FaceOwner.sighting(f"s-{face_id}"), T0, settled=False))
    start, won = threading.Barrier(len(contenders)), []

    def contend(face_id: str) -> None:
        start.wait(timeout=10)
        if owners.settle_first(face_id, [c for c in contenders if c != face_id]):
            won.append(face_id)

    threads = [threading.Thread(target=contend, args=(c,)) for c in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(won) == 1
    assert [c for c in contenders if owners.get(c) is not None] == won


def test_the_migration_turns_face_labels_into_owners(tmp_path: Path) -> None:
    db = Database(tmp_path / "old.db")
    # The release before face owners (later migrations run after it, as an upgrade would run them).
    before = next(i for i, script in enumerate(MIGRATIONS) if "CREATE TABLE face_owners" in script)
    with db.transaction() as conn:  # a database as the release before this one left it
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (before,))
        for script in MIGRATIONS[:before]:
            for statement in _statements(script):
                conn.execute(statement)
        at = to_micros(T0)
        rows = [("f1", "sighting-s1"), ("f2", "visitor-v1"), ("f3", "visitor-v1"), ("f4", "odd"), ("f5", "")]
        conn.executemany(
            "INSERT INTO faces (face_id, external_id, descriptor, created_at) VALUES (?, ?, NULL, ?)",
            [(face_id, label, at) for face_id, label in rows],
        )
        conn.execute(
            "INSERT INTO visitors (id, face_id, name, phone_number, created_at) VALUES (?, ?, ?, ?, ?)",
            ("v2", "f5", "Bo", "+12025550123", at),
        )
    db.migrate()
    owners = SqliteFaceOwners(db)
    assert [owners.get(f) for f in ("f1", "f2", "f3", "f4", "f5")] == [
        OwnedFace("f1", S1, T0),
        OwnedFace("f2", V1, T0),
        OwnedFace("f3", V1, T0),
        None,  # no one's: the next match of it is a stranger again, as before
        OwnedFace("f5", FaceOwner.visitor("v2"), T0),  # found through the visitor's faceId before
    ]
    columns = [row[1] for row in db.connection().execute("PRAGMA table_info(faces)")]
    assert "external_id" not in columns
    db.close()
