"""AppSync as schema.graphql says, every field wired, its auth modes, logs, WAF and the user pool."""

from __future__ import annotations

from typing import Any

import pytest

from smartdoor_cdk import lambda_assets, mapping_templates
from tests.cdk.conftest import REPO, Synthesised
from tests.schema_fields import operation_fields

pytestmark = pytest.mark.cdk

SCHEMA = (REPO / "schema.graphql").read_text()


def _api(synth: Synthesised) -> dict[str, Any]:
    (api,) = synth.resources("AWS::AppSync::GraphQLApi").values()
    properties: dict[str, Any] = api["Properties"]
    return properties


def test_the_schema_is_the_repositorys_as_it_is(frames: Synthesised) -> None:
    (schema,) = frames.resources("AWS::AppSync::GraphQLSchema").values()
    assert schema["Properties"]["Definition"] == SCHEMA


def test_cognito_is_the_default_with_api_key_and_iam_beside_it(frames: Synthesised) -> None:
    api = _api(frames)
    assert api["AuthenticationType"] == "AMAZON_COGNITO_USER_POOLS"
    assert api["UserPoolConfig"]["DefaultAction"] == "ALLOW"
    assert [p["AuthenticationType"] for p in api["AdditionalAuthenticationProviders"]] == [
        "API_KEY",
        "AWS_IAM",
    ]
    assert len(frames.resources("AWS::AppSync::ApiKey")) == 1


def test_field_logs_hold_errors_only_and_no_arguments(frames: Synthesised) -> None:
    log = _api(frames)["LogConfig"]
    assert log["FieldLogLevel"] == "ERROR"
    assert log["ExcludeVerboseContent"] is True


def test_every_query_and_mutation_field_has_its_resolver(either: Synthesised) -> None:
    sources = {
        props["Properties"]["Name"]: props["Properties"]["Type"]
        for props in either.resources("AWS::AppSync::DataSource").values()
    }
    wired: dict[tuple[str, str], dict[str, Any]] = {}
    for resolver in either.resources("AWS::AppSync::Resolver").values():
        p = resolver["Properties"]
        key = (p["TypeName"], p["FieldName"])
        assert key not in wired, f"{key} has two resolvers"
        wired[key] = p
    expected = list(operation_fields())
    assert set(wired) == set(expected)
    assert ("Mutation", "publishSighting") in expected
    for key, resolver in wired.items():
        kind = sources[resolver["DataSourceName"]]
        if key == ("Mutation", "publishSighting"):
            assert kind == "NONE"
            assert resolver["RequestMappingTemplate"] == (
                '{"version":"2018-05-29","payload":$util.toJson($ctx.arguments.input)}'
            )
            assert resolver["ResponseMappingTemplate"] == "$util.toJson($ctx.result)"
        else:
            assert kind == "AWS_LAMBDA", key
            assert resolver["RequestMappingTemplate"] == mapping_templates.REQUEST
            assert resolver["ResponseMappingTemplate"] == mapping_templates.RESPONSE


def test_the_lambda_data_source_is_the_one_resolvers_function(frames: Synthesised) -> None:
    lambdas = [
        s["Properties"]
        for s in frames.resources("AWS::AppSync::DataSource").values()
        if s["Properties"]["Type"] == "AWS_LAMBDA"
    ]
    assert len(lambdas) == 1
    function_id = lambdas[0]["LambdaConfig"]["LambdaFunctionArn"]["Fn::GetAtt"][0]
    function = frames.resources("AWS::Lambda::Function")[function_id]["Properties"]
    assert function["Handler"] == "resolvers.app.handler"
    # The runtime the assets' binary wheels were built for (smartdoor_cdk/lambda_assets.py).
    assert function["Runtime"] == f"python{lambda_assets.LAMBDA_PYTHON}"


def test_a_rate_based_waf_rule_guards_the_api(frames: Synthesised) -> None:
    ((acl_id, acl),) = frames.resources("AWS::WAFv2::WebACL").items()
    assert acl["Properties"]["Scope"] == "REGIONAL"
    (rule,) = acl["Properties"]["Rules"]
    assert rule["Action"] == {"Block": {}}
    assert rule["Statement"]["RateBasedStatement"] == {"Limit": 500, "AggregateKeyType": "IP"}
    (association,) = frames.resources("AWS::WAFv2::WebACLAssociation").values()
    api_id = frames.logical_id("AWS::AppSync::GraphQLApi", "Api")
    assert association["Properties"] == {
        "ResourceArn": {"Fn::GetAtt": [api_id, "Arn"]},
        "WebACLArn": {"Fn::GetAtt": [acl_id, "Arn"]},
    }


def test_the_owner_pool_has_no_sign_up_a_strong_policy_and_the_owners_group(frames: Synthesised) -> None:
    (pool,) = frames.resources("AWS::Cognito::UserPool").values()
    assert pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["Properties"]["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 14,
        "RequireLowercase": True,
        "RequireUppercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 3,
    }
    (group,) = frames.resources("AWS::Cognito::UserPoolGroup").values()
    assert group["Properties"]["GroupName"] == "owners"
    (client,) = frames.resources("AWS::Cognito::UserPoolClient").values()
    assert client["Properties"]["GenerateSecret"] is False
    assert set(client["Properties"]["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }


def test_the_outputs_name_every_url_and_id_the_pages_and_the_owner_need(either: Synthesised) -> None:
    assert {
        "GraphqlUrl",
        "RealtimeUrl",
        "ApiKey",
        "UserPoolId",
        "UserPoolClientId",
        "OwnerGroup",
        "PhotoBucket",
        "VideoStreamName",
        "CollectionId",
        "Region",
        "PagesUrl",
    } <= set(either.json["Outputs"])
    api_id = either.logical_id("AWS::AppSync::GraphQLApi", "Api")
    # AppSync's own attribute: the endpoint the pages' config.json and CSP name too
    assert either.json["Outputs"]["RealtimeUrl"]["Value"] == {"Fn::GetAtt": [api_id, "RealtimeUrl"]}
