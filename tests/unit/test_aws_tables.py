"""The table definitions as data: the exact CreateTable request the CDK app and the tests build from them."""

from __future__ import annotations

import pytest

from smartdoor.adapters.aws.tables import (
    OUTBOX,
    SIGHTINGS,
    TABLES,
    Index,
    Key,
    Table,
    create_table_input,
    created_key,
)

pytestmark = pytest.mark.unit


def test_the_sightings_request_is_exact() -> None:
    assert create_table_input(SIGHTINGS, "door-sightings") == {
        "TableName": "door-sightings",
        "KeySchema": [{"AttributeName": "sightingId", "KeyType": "HASH"}],
        "AttributeDefinitions": [
            {"AttributeName": "sightingId", "AttributeType": "S"},
            {"AttributeName": "feed", "AttributeType": "S"},
            {"AttributeName": "createdKey", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "byCreated",
                "KeySchema": [
                    {"AttributeName": "feed", "KeyType": "HASH"},
                    {"AttributeName": "createdKey", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "byStatus",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "createdKey", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
    }


def test_the_outbox_streams_new_messages_under_its_default_name() -> None:
    request = create_table_input(OUTBOX)
    assert (request["TableName"], request["StreamSpecification"]) == (
        "outbox",
        {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )


def test_every_table_and_index_says_what_it_serves() -> None:
    assert len({t.logical for t in TABLES}) == len({t.default_name for t in TABLES}) == len(TABLES)
    for table in TABLES:
        assert table.access_patterns, table.logical
        assert all(index.serves for index in table.indexes), table.logical


def test_a_key_declared_with_two_types_is_refused() -> None:
    table = Table("t", "t", Key("id"), indexes=(Index("byId", Key("id", "N"), None, "nothing"),))
    with pytest.raises(ValueError, match="id is declared with two types"):
        table.key_attributes()


def test_created_keys_sort_as_time_then_id() -> None:
    keys = [
        created_key(10, "b"),
        created_key(9, "z"),
        created_key(10, "a"),
        created_key(1_700_000_000_000_000, "c"),
    ]
    assert sorted(keys) == [
        "00000000000000000009#z",
        "00000000000000000010#a",
        "00000000000000000010#b",
        "00001700000000000000#c",
    ]
    with pytest.raises(ValueError, match="after 1970"):
        created_key(-1, "x")
