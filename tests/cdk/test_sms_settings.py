"""SNS's account SMS attributes: one SDK call on create and update (none on delete), from CDK's prebuilt
handler, allowed sns:SetSMSAttributes alone; the spend limit is the sms_spend_limit_usd context parameter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from smartdoor_cdk import nag
from smartdoor_cdk.parameters import DEFAULTS, Parameters
from smartdoor_cdk.sms_settings import SmsSettings
from tests.cdk.conftest import Synthesised, synthesise
from tests.cdk.policies import statements

pytestmark = pytest.mark.cdk

# aws-cdk-lib's fixed id of the AwsCustomResource provider (one SingletonFunction per stack).
PROVIDER = "AWS679f53fac002430cb0da5b7982bd2287"


def _call(limit: str) -> dict[str, Any]:
    return {
        "service": "SNS",
        "action": "setSMSAttributes",
        "parameters": {"attributes": {"DefaultSMSType": "Transactional", "MonthlySpendLimit": limit}},
        "physicalResourceId": {"id": "sns-sms-attributes"},
    }


def _sms_resource(resources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (resource,) = (
        r for k, r in resources.items() if k.startswith("SmsSettings") and r["Type"] == "Custom::AWS"
    )
    properties: dict[str, Any] = resource["Properties"]
    return properties


def test_the_stack_sets_transactional_sms_and_the_default_spend_limit_on_create_and_update(
    either: Synthesised,
) -> None:
    properties = _sms_resource(either.json["Resources"])
    assert json.loads(properties["Create"]) == _call(DEFAULTS["sms_spend_limit_usd"])
    assert json.loads(properties["Update"]) == _call(DEFAULTS["sms_spend_limit_usd"])
    # Deleting the stack leaves the account's SMS settings as they are.
    assert "Delete" not in properties
    # The Lambda runtime's own SDK: nothing is fetched from npm while deploying.
    assert properties["InstallLatestAwsSdk"] is False
    assert properties["ServiceToken"] == {
        "Fn::GetAtt": [either.logical_id("AWS::Lambda::Function", PROVIDER), "Arn"]
    }


def test_the_provider_may_set_sms_attributes_and_nothing_else(either: Synthesised) -> None:
    # SetSMSAttributes has no resource-level permissions: "*" is the only resource it takes.
    assert statements(either, f"{PROVIDER}ServiceRole") == {("sns:SetSMSAttributes", "*")}


def test_the_provider_is_cdks_prebuilt_handler_and_the_synth_needs_no_docker(either: Synthesised) -> None:
    function = either.json["Resources"][either.logical_id("AWS::Lambda::Function", PROVIDER)]["Properties"]
    assert function["Handler"] == "index.handler"
    assert str(function["Runtime"]).startswith("nodejs")
    assets = json.loads(either.path.with_name("SmartDoor.assets.json").read_text())
    assert assets.get("dockerImages", {}) == {}
    key = function["Code"]["S3Key"]
    [asset] = [
        a for a in assets["files"].values() if any(d["objectKey"] == key for d in a["destinations"].values())
    ]
    # a file or folder shipped inside aws-cdk-lib, not something built at synth time
    assert (either.path.parent / asset["source"]["path"]).exists()


def test_the_spend_limit_comes_from_context() -> None:
    app = cdk.App(context={"sms_spend_limit_usd": "25"})
    limit = Parameters.from_context(app).sms_spend_limit_usd
    stack = cdk.Stack(app, env=cdk.Environment(account="111111111111", region="eu-west-1"))
    SmsSettings(stack, "SmsSettings", spend_limit_usd=limit)
    properties = _sms_resource(Template.from_stack(stack).to_json()["Resources"])
    assert json.loads(properties["Create"]) == _call("25")
    assert json.loads(properties["Update"]) == _call("25")


@pytest.mark.parametrize("given", ["0", "-1"])
def test_a_spend_limit_below_one_dollar_is_refused_before_synthesis(given: str) -> None:
    with pytest.raises(ValueError, match="sms_spend_limit_usd"):
        Parameters.from_context(cdk.App(context={"sms_spend_limit_usd": given}))


def test_cdk_nag_stops_the_synth_without_the_sms_settings_acknowledgement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN every acknowledgement but the SMS settings' one
    acknowledge = nag._ack

    def all_but_sms(scope: Any, name: str, reason: str) -> None:
        if reason != nag.SMS_ATTRIBUTES:
            acknowledge(scope, name, reason)

    monkeypatch.setattr(nag, "_ack", all_but_sms)
    # THEN the synth fails on the provider's policy's wildcard, and on nothing else
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        synthesise(tmp_path, {})
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (plugin,) = report["pluginReports"]
    found = {
        (v["ruleName"], c["constructPath"]) for v in plugin["violations"] for c in v["violatingConstructs"]
    }
    assert found == {
        ("AwsSolutions-IAM5[Resource::*]", "SmartDoor/SmsSettings/Attributes/CustomResourcePolicy/Resource")
    }
