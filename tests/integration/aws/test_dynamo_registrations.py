"""What only the DynamoDB registration unit does: one TransactWriteItems per unit (counted with botocore's
event hooks), the first refusing item's error when several refuse, and a transaction conflict sent again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import Stubber

from smartdoor.adapters.aws import tables
from smartdoor.adapters.aws.dynamo_claims import DynamoClaims
from smartdoor.adapters.aws.dynamo_face_owners import DynamoFaceOwners
from smartdoor.adapters.aws.dynamo_limits import DynamoThrottle
from smartdoor.adapters.aws.dynamo_outbox import DynamoOutbox
from smartdoor.adapters.aws.dynamo_registrations import DynamoRegistrations
from smartdoor.adapters.aws.dynamo_sightings import DynamoSightings, sighting_item
from smartdoor.adapters.memory.clock_ids import ManualClock, SequentialIds
from smartdoor.domain.errors import Conflict
from smartdoor.domain.links import LinkUsed
from smartdoor.domain.model import FaceOwner, OwnedFace, Passcode, Sighting, SightingStatus, Sms, Visitor
from smartdoor.ports import Claim, PasscodeDelivery, RegistrationUnit, ThrottleRule

from .conftest import Aws

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LIMITS = (ThrottleRule("sms:+12025550100", 1, timedelta(minutes=1)),)
LINK = Claim("link:n1", T0 + timedelta(days=1))
SIGHTING = Sighting("s1", "f1", "KVS1", SightingStatus.PENDING, T0)


def unit(code_hash: str = "h1") -> RegistrationUnit:
    visitor = Visitor("v1", "f1", "Ada", "+12025550100", (), T0)
    passcode = Passcode(code_hash, "v1", T0, T0 + timedelta(minutes=5))
    delivery = PasscodeDelivery(passcode, Sms("+12025550100", "code"), LIMITS)
    return RegistrationUnit("s1", frozenset({SightingStatus.PENDING}), visitor, LINK, delivery)


@pytest.fixture
def registrations(aws: Aws) -> DynamoRegistrations:
    client = aws.dynamodb()
    for table in tables.TABLES:
        tables.create_table(client, table)
    DynamoSightings(client).add(SIGHTING)
    DynamoFaceOwners(client).add(OwnedFace("f1", FaceOwner.sighting("s1"), T0))
    return DynamoRegistrations(client, DynamoOutbox(client, ManualClock(T0), SequentialIds("m")))


def operations(client: Any) -> list[str]:
    """The DynamoDB operations the client sends from now on, in order."""
    sent: list[str] = []
    client.meta.events.register("before-call.dynamodb", lambda model, **_: sent.append(model.name))
    return sent


def test_a_registration_is_one_transaction_and_a_passcode_s_issue_too(aws: Aws) -> None:
    # A client of its own: the hook must not outlive the test on the session's shared one.
    client = aws.session.client("dynamodb", endpoint_url=aws.endpoint, config=aws.dynamodb().meta.config)
    for table in tables.TABLES:
        tables.create_table(client, table)
    DynamoSightings(client).add(SIGHTING)
    DynamoFaceOwners(client).add(OwnedFace("f1", FaceOwner.sighting("s1"), T0))
    registrations = DynamoRegistrations(client, DynamoOutbox(client, ManualClock(T0), SequentialIds("m")))
    sent = operations(client)
    registrations.register(unit(), T0)
    assert sent == ["TransactWriteItems"]  # the unit alone: nothing is read back
    sent.clear()
    later = T0 + timedelta(minutes=1)
    passcode = Passcode("h2", "v1", later, later + timedelta(minutes=5))
    registrations.issue_passcode(PasscodeDelivery(passcode, Sms("+12025550100", "code"), LIMITS), later)
    assert sent == ["TransactWriteItems"]


def test_of_several_refusing_items_the_first_one_s_error_is_raised(
    aws: Aws, registrations: DynamoRegistrations
) -> None:
    client = aws.dynamodb()
    assert DynamoClaims(client, tables.LIMITS.default_name).claim(LINK.key, LINK.expires_at, T0)
    assert DynamoThrottle(client, tables.LIMITS.default_name).acquire_all(LIMITS, T0)
    with pytest.raises(LinkUsed):  # the link is the unit's first item; the full SMS window comes later
        registrations.register(unit(), T0)


def test_a_transaction_that_met_another_is_sent_again() -> None:
    from smartdoor.adapters.memory.served_fakes import SESSION

    client = SESSION.client("dynamodb", endpoint_url="http://127.0.0.1:9")
    registrations = DynamoRegistrations(client, DynamoOutbox(client, ManualClock(T0), SequentialIds("m")))
    met = [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "another transaction"}]
    sent: list[object] = []
    client.meta.events.register(
        "before-parameter-build.dynamodb.TransactWriteItems",
        lambda params, **_: sent.append(params["TransactItems"]),
    )
    with Stubber(client) as stub:
        stub.add_client_error(
            "transact_write_items",
            "TransactionCanceledException",
            "cancelled",
            modeled_fields={"CancellationReasons": met},
        )
        stub.add_response("transact_write_items", {}, None)
        registrations.register(unit(), T0)
        stub.assert_no_pending_responses()
    assert len(sent) == 2
    assert sent[0] == sent[1]  # the same unit again, item for item
    with Stubber(client) as stub:  # a failed condition is an answer: never sent again
        refused = [{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Item": sighting_item(SIGHTING)}]
        stub.add_client_error(
            "transact_write_items",
            "TransactionCanceledException",
            "cancelled",
            modeled_fields={"CancellationReasons": refused},
        )
        with pytest.raises(Conflict, match="already handled: pending"):
            registrations.register(unit(), T0)
        stub.assert_no_pending_responses()
