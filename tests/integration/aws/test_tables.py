"""The table definitions built on moto: what DynamoDB reports back, and each listing served by its key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pytest

from smartdoor.adapters.aws.tables import (
    ALL,
    FACES,
    OUTBOX,
    PASSCODES,
    SIGHTINGS,
    TABLES,
    TIMELINE,
    Table,
    create_table,
    created_key,
)

from .conftest import Aws

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

pytestmark = pytest.mark.integration


def s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def n(value: int) -> AttributeValueTypeDef:
    return {"N": str(value)}


@pytest.mark.parametrize("table", TABLES, ids=[t.logical for t in TABLES])
def test_each_table_is_built_as_defined(aws: Aws, table: Table) -> None:
    client = aws.dynamodb()

    assert create_table(client, table, f"test-{table.default_name}") == f"test-{table.default_name}"

    described = client.describe_table(TableName=f"test-{table.default_name}")["Table"]
    assert described["TableStatus"] == "ACTIVE"
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    key = [(table.partition.name, "HASH")] + ([(table.sort.name, "RANGE")] if table.sort else [])
    assert [(k["AttributeName"], k["KeyType"]) for k in described["KeySchema"]] == key
    assert {a["AttributeName"]: a["AttributeType"] for a in described["AttributeDefinitions"]} == {
        k.name: k.type for k in table.key_attributes()
    }
    indexes = {
        i["IndexName"]: ([k["AttributeName"] for k in i["KeySchema"]], i["Projection"]["ProjectionType"])
        for i in described.get("GlobalSecondaryIndexes", [])
    }
    assert indexes == {
        i.name: ([i.partition.name] + ([i.sort.name] if i.sort else []), "ALL") for i in table.indexes
    }
    ttl = client.describe_time_to_live(TableName=f"test-{table.default_name}")["TimeToLiveDescription"]
    if table.ttl_attribute:
        assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", table.ttl_attribute)
    else:
        assert ttl["TimeToLiveStatus"] == "DISABLED"
    stream = described.get("StreamSpecification")
    assert stream == ({"StreamEnabled": True, "StreamViewType": table.stream} if table.stream else None)


def test_the_design_s_tables_are_all_there_under_the_seed_s_names() -> None:
    assert {t.logical: t.default_name for t in TABLES} == {
        "passcodes": "passcodes",
        "visitors": "visitors",
        "sightings": "sightings",
        "faces": "faces",
        "limits": "limits",
        "timeline": "timeline",
        "outbox": "outbox",
    }
    assert (PASSCODES.partition.name, PASSCODES.ttl_attribute) == ("codeHash", "expiresAt")


def _ids(items: Sequence[Mapping[str, AttributeValueTypeDef]], id_name: str) -> list[str]:
    return [item[id_name]["S"] for item in items]


def test_sightings_list_newest_first_all_and_by_status_without_a_scan(aws: Aws) -> None:
    client = aws.dynamodb()
    create_table(client, SIGHTINGS)
    for micros, sighting_id, status in [(1, "s1", "PENDING"), (2, "s2", "DENIED"), (3, "s3", "PENDING")]:
        client.put_item(
            TableName="sightings",
            Item={
                "sightingId": s(sighting_id),
                "status": s(status),
                "feed": s(ALL),
                "createdKey": s(created_key(micros, sighting_id)),
            },
            ConditionExpression="attribute_not_exists(sightingId)",
        )

    newest = client.query(
        TableName="sightings",
        IndexName="byCreated",
        KeyConditionExpression="feed = :all",
        ExpressionAttributeValues={":all": s(ALL)},
        ScanIndexForward=False,
    )
    pending = client.query(
        TableName="sightings",
        IndexName="byStatus",
        KeyConditionExpression="#status = :status",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":status": s("PENDING")},
        ScanIndexForward=False,
        Limit=1,
    )

    assert _ids(newest["Items"], "sightingId") == ["s3", "s2", "s1"]
    assert _ids(pending["Items"], "sightingId") == ["s3"]
    after = client.query(
        TableName="sightings",
        IndexName="byStatus",
        KeyConditionExpression="#status = :status",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":status": s("PENDING")},
        ScanIndexForward=False,
        ExclusiveStartKey=pending["LastEvaluatedKey"],
    )
    assert _ids(after["Items"], "sightingId") == ["s1"]


def test_the_timeline_is_one_query_newest_first_and_equal_times_keep_an_order(aws: Aws) -> None:
    client = aws.dynamodb()
    create_table(client, TIMELINE)
    for micros, event_id in [(5, "e1"), (7, "e2"), (7, "e3"), (6, "e4")]:
        client.put_item(
            TableName="timeline",
            Item={"feed": s("door"), "eventKey": s(created_key(micros, event_id)), "eventId": s(event_id)},
        )
    items = client.query(
        TableName="timeline",
        KeyConditionExpression="feed = :door",
        ExpressionAttributeValues={":door": s("door")},
        ScanIndexForward=False,
    )["Items"]
    assert _ids(items, "eventId") == ["e3", "e2", "e4", "e1"]


def test_a_visitor_s_faces_are_one_query_on_the_owner(aws: Aws) -> None:
    client = aws.dynamodb()
    create_table(client, FACES)
    for face_id, owner in [("f1", "v1"), ("f2", "s9"), ("f3", "v1")]:
        client.put_item(
            TableName="faces",
            Item={"faceId": s(face_id), "ownerId": s(owner)},
            ConditionExpression="attribute_not_exists(faceId)",
        )
    items = client.query(
        TableName="faces",
        IndexName="byOwner",
        KeyConditionExpression="ownerId = :owner",
        ExpressionAttributeValues={":owner": s("v1")},
    )["Items"]
    assert _ids(items, "faceId") == ["f1", "f3"]


def test_the_outbox_index_holds_only_what_is_unsent(aws: Aws) -> None:
    client = aws.dynamodb()
    create_table(client, OUTBOX)
    for micros, message_id in [(1, "sms#s1"), (2, "email#s1")]:
        client.put_item(
            TableName="outbox",
            Item={
                "messageId": s(message_id),
                "unsent": s(ALL),
                "createdKey": s(created_key(micros, message_id)),
            },
        )
    client.update_item(
        TableName="outbox",
        Key={"messageId": s("sms#s1")},
        UpdateExpression="REMOVE unsent SET sentAt = :at",
        ConditionExpression="attribute_exists(unsent)",
        ExpressionAttributeValues={":at": n(3)},
    )
    due = client.query(
        TableName="outbox",
        IndexName="unsent",
        KeyConditionExpression="unsent = :all",
        ExpressionAttributeValues={":all": s(ALL)},
    )["Items"]
    assert _ids(due, "messageId") == ["email#s1"]
