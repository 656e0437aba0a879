"""CloudFormation's intrinsic functions as the offline stand-up resolves them, in the forms CDK emits."""

from __future__ import annotations

from typing import Any

import pytest

from smartdoor_cdk.offline.intrinsics import Physical, Resolver, TemplateError
from smartdoor_cdk.offline.physical_names import generated_name

pytestmark = pytest.mark.unit

TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/v"},
        "Stage": {"Type": "String"},
    },
    "Conditions": {
        "InChina": {"Fn::Equals": [{"Ref": "AWS::Region"}, "cn-north-1"]},
        "NotInChina": {"Fn::Not": [{"Condition": "InChina"}]},
        "Both": {"Fn::And": [{"Condition": "NotInChina"}, {"Fn::Equals": ["a", "a"]}]},
    },
}


def resolver() -> Resolver:
    return Resolver(
        TEMPLATE,
        "SmartDoor",
        "eu-west-1",
        "123456789012",
        {"Stage": "dev"},
        {"Table": Physical("faces", {"Arn": "arn:aws:dynamodb:eu-west-1:123456789012:table/faces"})},
    )


def test_ref_gives_resources_parameters_and_pseudo_parameters() -> None:
    r = resolver()
    assert r.resolve({"Ref": "Table"}) == "faces"
    assert r.resolve({"Ref": "Stage"}) == "dev"
    assert r.resolve({"Ref": "BootstrapVersion"}) == "/cdk-bootstrap/v"  # its default
    assert r.resolve([{"Ref": p} for p in ("AWS::Region", "AWS::AccountId", "AWS::Partition")]) == [
        "eu-west-1",
        "123456789012",
        "aws",
    ]
    assert r.resolve({"Ref": "AWS::URLSuffix"}) == "amazonaws.com"


def test_get_att_in_both_forms_join_select_and_split() -> None:
    r = resolver()
    arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/faces"
    assert r.resolve({"Fn::GetAtt": ["Table", "Arn"]}) == arn
    assert r.resolve({"Fn::GetAtt": "Table.Arn"}) == arn
    assert r.resolve({"Fn::Join": ["", [{"Fn::GetAtt": ["Table", "Arn"]}, "/index/*"]]}) == arn + "/index/*"
    assert (
        r.resolve({"Fn::Select": [5, {"Fn::Split": [":", {"Fn::GetAtt": ["Table", "Arn"]}]}]})
        == "table/faces"
    )


def test_sub_takes_refs_attributes_its_own_variables_and_escapes() -> None:
    r = resolver()
    assert r.resolve({"Fn::Sub": "cdk-assets-${AWS::AccountId}-${AWS::Region}"}) == (
        "cdk-assets-123456789012-eu-west-1"
    )
    assert r.resolve({"Fn::Sub": ["${Table}|${Table.Arn}|${Own}", {"Own": {"Ref": "Stage"}}]}) == (
        "faces|arn:aws:dynamodb:eu-west-1:123456789012:table/faces|dev"
    )
    assert r.resolve({"Fn::Sub": "${!Literal} stays"}) == "${Literal} stays"


def test_if_picks_by_condition_and_no_value_removes_the_property() -> None:
    r = resolver()
    encryption = {"Fn::If": ["InChina", {"Ref": "AWS::NoValue"}, {"EncryptionType": "KMS"}]}
    assert r.resolve({"StreamEncryption": encryption, "ShardCount": 1}) == {
        "StreamEncryption": {"EncryptionType": "KMS"},
        "ShardCount": 1,
    }
    china = Resolver(TEMPLATE, "SmartDoor", "cn-north-1", "123456789012")
    assert china.resolve({"StreamEncryption": encryption, "ShardCount": 1}) == {"ShardCount": 1}
    assert r.condition("Both") is True
    assert china.condition("Both") is False


def test_what_is_not_there_is_an_error_not_a_guess() -> None:
    r = resolver()
    with pytest.raises(TemplateError, match="Queue"):
        r.resolve({"Ref": "Queue"})
    with pytest.raises(TemplateError, match="StreamArn"):
        r.resolve({"Fn::GetAtt": ["Table", "StreamArn"]})
    with pytest.raises(TemplateError, match="Fn::ImportValue"):
        r.resolve({"Fn::ImportValue": "Shared-Vpc"})
    with pytest.raises(TemplateError, match="no value"):
        Resolver(TEMPLATE, "SmartDoor", "eu-west-1", "123456789012").resolve({"Ref": "Stage"})


def test_generated_names_are_cloudformation_like_within_limits_and_repeatable() -> None:
    name = generated_name("SmartDoor", "StorageFacesTable48A92C05", "AWS::DynamoDB::Table")
    assert name.startswith("SmartDoor-StorageFacesTable48A92C05-")
    assert len(name.rsplit("-", 1)[1]) == 13
    assert name == generated_name("SmartDoor", "StorageFacesTable48A92C05", "AWS::DynamoDB::Table")
    assert name != generated_name("Other", "StorageFacesTable48A92C05", "AWS::DynamoDB::Table")
    bucket = generated_name("SmartDoor" * 10, "Photos" * 20, "AWS::S3::Bucket")
    assert len(bucket) <= 63
    assert bucket == bucket.lower()
