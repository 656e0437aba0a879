"""A new sighting and the owner's email on DynamoDB: one TransactWriteItems of the sightings Put and the
outbox Put, each conditional on a new key, so the email is queued exactly when the sighting is stored.

The outbox item's id is the email's key (``email:sighting:<id>``): the same unit applied again fails both
conditions and writes nothing. botocore's own retries of the call reuse its ClientRequestToken, which
DynamoDB answers idempotently for ten minutes, so an ambiguous first try (a timeout after commit) retried
by botocore succeeds instead of failing on its own earlier write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartdoor.adapters.aws.dynamo_outbox import DynamoOutbox
from smartdoor.adapters.aws.dynamo_sightings import add_sighting_with
from smartdoor.adapters.aws.tables import SIGHTINGS
from smartdoor.domain.model import Email, Sighting

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoNewSightings:
    def __init__(
        self, client: DynamoDBClient, outbox: DynamoOutbox, sightings_table: str = SIGHTINGS.default_name
    ) -> None:
        self._client = client
        self._outbox = outbox
        self._sightings = sightings_table

    def open(self, sighting: Sighting, email: Email) -> None:
        add_sighting_with(
            self._client, self._sightings, sighting, self._outbox.message_put(email), "store the new sighting"
        )
