"""B1, the tables (as tables.py defines them) and the HMAC secret in the template."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from smartdoor.adapters.aws import tables
from smartdoor_cdk.storage import Storage
from tests.cdk.conftest import Synthesised

pytestmark = pytest.mark.cdk


def _table(synth: Synthesised, table: tables.Table) -> dict[str, Any]:
    logical = synth.logical_id("AWS::DynamoDB::Table", f"Storage{table.logical.capitalize()}")
    properties: dict[str, Any] = synth.resources("AWS::DynamoDB::Table")[logical]["Properties"]
    return properties


@pytest.mark.parametrize("table", tables.TABLES, ids=lambda t: t.logical)
def test_each_table_is_built_from_its_definition(frames: Synthesised, table: tables.Table) -> None:
    wanted = tables.create_table_input(table)
    built = _table(frames, table)
    assert built["KeySchema"] == wanted["KeySchema"]
    assert sorted(built["AttributeDefinitions"], key=str) == sorted(wanted["AttributeDefinitions"], key=str)
    indexes = {i["IndexName"]: i for i in built.get("GlobalSecondaryIndexes", [])}
    assert set(indexes) == {i["IndexName"] for i in wanted.get("GlobalSecondaryIndexes", [])}
    for index in wanted.get("GlobalSecondaryIndexes", []):
        assert indexes[index["IndexName"]]["KeySchema"] == index["KeySchema"]
        assert indexes[index["IndexName"]]["Projection"] == {"ProjectionType": "ALL"}
    assert built["BillingMode"] == "PAY_PER_REQUEST"
    assert built["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    if table.ttl_attribute is None:
        assert "TimeToLiveSpecification" not in built
    else:
        assert built["TimeToLiveSpecification"] == {"AttributeName": table.ttl_attribute, "Enabled": True}
    if table.stream is None:
        assert "StreamSpecification" not in built
    else:
        assert built["StreamSpecification"] == {"StreamViewType": table.stream}


def test_passcodes_expire_by_ttl_on_their_expiry_attribute(frames: Synthesised) -> None:
    assert _table(frames, tables.PASSCODES)["TimeToLiveSpecification"]["AttributeName"] == "expiresAt"


def test_the_photo_bucket_is_private_encrypted_and_tls_only(frames: Synthesised) -> None:
    frames.template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        },
    )
    frames.template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                "Principal": {"AWS": "*"},
                            }
                        )
                    ]
                )
            }
        },
    )
    # Nothing in the template grants B1 to anyone but the stack's own roles.
    photos = {"Ref": frames.logical_id("AWS::S3::Bucket", "StoragePhotos")}
    policies = frames.resources("AWS::S3::BucketPolicy").values()
    (policy,) = (p for p in policies if p["Properties"]["Bucket"] == photos)
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        assert statement["Effect"] == "Deny"


def _lifecycle(template: Template) -> dict[str, dict[str, Any]]:
    # B1 is the one bucket with lifecycle rules (the pages' bucket is rebuilt at every deploy).
    buckets = template.find_resources("AWS::S3::Bucket")
    (bucket,) = (b for b in buckets.values() if "LifecycleConfiguration" in b["Properties"])
    return {r["Id"]: r for r in bucket["Properties"]["LifecycleConfiguration"]["Rules"]}


def test_unregistered_snapshots_and_frames_are_purged(frames: Synthesised) -> None:
    rules = _lifecycle(frames.template)
    assert rules["PurgeUnregisteredSnapshots"] == {
        "Id": "PurgeUnregisteredSnapshots",
        "Prefix": "sightings/",
        "TagFilters": [{"Key": "smartdoor:registered", "Value": "false"}],
        "ExpirationInDays": 30,
        "Status": "Enabled",
    }
    assert rules["PurgeFrames"] == {
        "Id": "PurgeFrames",
        "Prefix": "frames/",
        "ExpirationInDays": 1,
        "Status": "Enabled",
    }


def test_the_purge_takes_its_days_from_the_caller() -> None:
    stack = cdk.Stack(cdk.App())
    Storage(stack, "Storage", purge_days=7, frame_purge_days=2)
    rules = _lifecycle(Template.from_stack(stack))
    assert rules["PurgeUnregisteredSnapshots"]["ExpirationInDays"] == 7
    assert rules["PurgeFrames"]["ExpirationInDays"] == 2


def test_the_hmac_key_is_generated_at_deploy_time_and_never_in_the_template(either: Synthesised) -> None:
    (secret,) = either.resources("AWS::SecretsManager::Secret").values()
    assert "SecretString" not in secret["Properties"]
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] == 64
    for function in either.resources("AWS::Lambda::Function").values():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        assert variables.get("SMARTDOOR_HMAC_SECRET_ID", {"Ref": "x"}).keys() == {"Ref"}
        assert all(not isinstance(v, str) or len(v) < 64 for v in variables.values())
    assert "SecretString" not in _keys(either.json)


def _keys(value: Any) -> set[str]:
    """Every property name anywhere in the template."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()
