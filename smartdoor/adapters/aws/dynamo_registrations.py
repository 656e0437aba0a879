"""The Registrations port on DynamoDB: a registration, or a passcode's issue, is ONE TransactWriteItems.

The items are the adapters' own writes (``claim_put``, ``transition_update``, ``visitor_put``,
``give_update``, ``window_update``, ``passcode_put``, ``DynamoOutbox.message_put``), so the unit holds
exactly the conditions each adapter keeps alone. DynamoDB cancels the whole transaction when any condition
fails and names each item's reason in ``CancellationReasons``, in item order: the first failed condition
becomes the domain error that the same step raises in the SQLite unit (which runs the steps in this order),
by its position in the unit and its code, never by message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from smartdoor.adapters.aws.dynamo_claims import claim_put
from smartdoor.adapters.aws.dynamo_face_owners import give_update, no_longer
from smartdoor.adapters.aws.dynamo_items import cancellation_reasons
from smartdoor.adapters.aws.dynamo_limits import window_update
from smartdoor.adapters.aws.dynamo_outbox import DynamoOutbox
from smartdoor.adapters.aws.dynamo_passcodes import collision, passcode_put
from smartdoor.adapters.aws.dynamo_sightings import refusal, transition_update
from smartdoor.adapters.aws.dynamo_visitors import id_taken, visitor_put
from smartdoor.adapters.aws.errors import CONDITION_FAILED, aws_errors
from smartdoor.adapters.aws.tables import FACES, LIMITS, PASSCODES, SIGHTINGS, VISITORS
from smartdoor.domain.errors import Conflict, DomainError, SmsLimitReached, StorageUnavailable
from smartdoor.domain.links import LinkUsed
from smartdoor.domain.model import FaceOwner, SightingStatus
from smartdoor.ports import PasscodeDelivery, RegistrationUnit

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

# A unit that met another transaction on the same items (TransactionConflict on every refusing item) is
# sent again: its conditions decide then (e.g. Conflict for the second of two registrations of a sighting).
MAX_ROUNDS = 8

# What a failed condition of one item means, from the item as it was (when DynamoDB returns it).
Refusal = Callable[[Mapping[str, Any] | None], DomainError]


@dataclass(frozen=True)
class TableNames:
    """The tables a registration writes (defaults: tables.py)."""

    sightings: str = SIGHTINGS.default_name
    visitors: str = VISITORS.default_name
    faces: str = FACES.default_name
    passcodes: str = PASSCODES.default_name
    limits: str = LIMITS.default_name


class DynamoRegistrations:
    def __init__(
        self, client: DynamoDBClient, outbox: DynamoOutbox, tables: TableNames | None = None
    ) -> None:
        self._client = client
        self._outbox = outbox
        self._tables = tables or TableNames()

    def register(self, unit: RegistrationUnit, now: datetime) -> None:
        t, visitor = self._tables, unit.visitor
        steps: list[tuple[TransactWriteItemTypeDef, Refusal]] = []
        link = unit.link_claim
        if link is not None:
            used = LinkUsed("This link was already used.")
            steps.append(({"Put": claim_put(t.limits, link.key, link.expires_at, now)}, lambda _: used))
        transition = transition_update(
            t.sightings, unit.sighting_id, unit.allowed_from, SightingStatus.REGISTERED, now, visitor.id
        )
        steps.append(({"Update": transition}, lambda old: refusal(unit.sighting_id, old)))
        taken = id_taken(visitor)
        steps.append(({"Put": visitor_put(t.visitors, visitor)}, lambda _: taken))
        # Conditional on the sighting still owning the face: a concurrent forget or registration loses.
        was = FaceOwner.sighting(unit.sighting_id)
        give = give_update(t.faces, visitor.face_id, FaceOwner.visitor(visitor.id), was)
        gone = no_longer(visitor.face_id, was)
        steps.append(({"Update": give}, lambda _: gone))
        if unit.delivery is not None:
            # Derived from the sighting: a retried unit would queue the same message id, never a second SMS.
            steps.extend(self._delivery_steps(unit.delivery, now, f"sms#{unit.sighting_id}"))
        # The transaction returns no items, and nothing is read back: no caller needs the sighting.
        self._run("register the visitor", steps)

    def issue_passcode(self, delivery: PasscodeDelivery, now: datetime) -> None:
        self._run("issue the passcode", self._delivery_steps(delivery, now, None))

    def _delivery_steps(
        self, delivery: PasscodeDelivery, now: datetime, message_id: str | None
    ) -> list[tuple[TransactWriteItemTypeDef, Refusal]]:
        full, clash = SmsLimitReached("the phone's SMS limit is reached"), collision()
        if any(rule.limit <= 0 for rule in delivery.limits):
            raise full  # a new window's update would count one: a limit of 0 allows nothing
        queued = Conflict("That message is already queued.")
        steps: list[tuple[TransactWriteItemTypeDef, Refusal]] = [
            ({"Update": window_update(self._tables.limits, rule, now)}, lambda _: full)
            for rule in delivery.limits
        ]
        steps.append(({"Put": passcode_put(self._tables.passcodes, delivery.passcode, now)}, lambda _: clash))
        steps.append((self._outbox.message_put(delivery.sms, message_id), lambda _: queued))
        return steps

    def _run(self, action: str, steps: Sequence[tuple[TransactWriteItemTypeDef, Refusal]]) -> None:
        items = [item for item, _ in steps]
        with aws_errors(action):
            for _ in range(MAX_ROUNDS):
                try:
                    self._client.transact_write_items(TransactItems=items)
                    return
                except ClientError as exc:
                    reasons = cancellation_reasons(exc)
                    if reasons is None:
                        raise  # not a cancellation: aws_errors translates it
                    for (_, refused), reason in zip(steps, reasons, strict=False):
                        if str(reason.get("Code", "")) in CONDITION_FAILED:
                            raise refused(reason.get("Item")) from exc
                    if {str(r.get("Code", "")) for r in reasons} - {"None", ""} != {"TransactionConflict"}:
                        raise  # throttling, capacity, a missing table: aws_errors says unavailable
        raise StorageUnavailable(f"could not {action}: too many transactions on the same items at once")
