"""The call list of bench/aws_calls.py for the lock-out path, exactly: the bench's table cannot drift silently
from the code. A locked client must cost one read (both attempt records in one TransactGetItems) and no write.
"""

from __future__ import annotations

import pytest

from bench.aws_calls import run_use_cases

from .conftest import Aws

pytestmark = pytest.mark.integration


def test_the_use_cases_make_the_calls_the_bench_tables(aws: Aws) -> None:
    kept = ("validateOtp", "unknown face (after commit)", "approve", "registration")
    calls = run_use_cases(aws.endpoint, only=lambda name: name.startswith(kept))

    assert calls == {
        # The dispatcher's send is counted too (SESv2's events are named by service id, not "email").
        "unknown face (after commit)": [
            ("dynamodb", "Query"),
            ("dynamodb", "UpdateItem"),
            ("sesv2", "SendEmail"),
            ("dynamodb", "UpdateItem"),
        ],
        # Approving is the conditional status change alone (its failure tells NotFound from Conflict), then
        # the event: no read before it.
        "approve": [("dynamodb", "UpdateItem"), ("dynamodb", "PutItem")],
        # The sighting is read for its face and photos; its two photos are kept from the purge (S3 cannot
        # join the transaction, so before it); the transaction is the whole unit and is not read back; then
        # the two events and the search for the visitor's other sightings.
        "registration": [
            ("dynamodb", "GetItem"),
            ("s3", "PutObjectTagging"),
            ("s3", "PutObjectTagging"),
            ("dynamodb", "TransactWriteItems"),
            ("dynamodb", "PutItem"),
            ("dynamodb", "PutItem"),
            ("rekognition", "SearchFaces"),
        ],
        "registration (after commit)": [
            ("dynamodb", "Query"),
            ("dynamodb", "UpdateItem"),
            ("sns", "Publish"),
            ("dynamodb", "UpdateItem"),
        ],
        "validateOtp granted": [
            ("dynamodb", "TransactGetItems"),
            ("dynamodb", "TransactWriteItems"),
            ("dynamodb", "DeleteItem"),
            ("dynamodb", "GetItem"),
            ("dynamodb", "DeleteItem"),
            ("dynamodb", "DeleteItem"),
            ("dynamodb", "PutItem"),
        ],
        "validateOtp denied": [
            ("dynamodb", "TransactGetItems"),
            ("dynamodb", "TransactWriteItems"),
            ("dynamodb", "DeleteItem"),
            ("dynamodb", "PutItem"),
            ("dynamodb", "UpdateItem"),
        ],
        "validateOtp locked": [("dynamodb", "TransactGetItems")],
    }
