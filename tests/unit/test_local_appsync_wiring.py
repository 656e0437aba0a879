"""The local AppSync's wiring, read from a template fragment in the CloudFormation shape CDK synthesises."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from smartdoor_cdk.local_appsync import DataSource, Resolver, WiringError, wiring_from_template
from smartdoor_cdk.mapping_templates import REQUEST, RESPONSE

pytestmark = pytest.mark.unit

API = {"Fn::GetAtt": ["Api47CC8C51", "ApiId"]}
FRAGMENT: dict[str, Any] = {
    "Resources": {
        "Api47CC8C51": {
            "Type": "AWS::AppSync::GraphQLApi",
            "Properties": {
                "AuthenticationType": "AMAZON_COGNITO_USER_POOLS",
                "AdditionalAuthenticationProviders": [
                    {"AuthenticationType": "API_KEY"},
                    {"AuthenticationType": "AWS_IAM"},
                ],
                "Name": "smartdoor",
                "UserPoolConfig": {
                    "AwsRegion": {"Ref": "AWS::Region"},
                    "DefaultAction": "ALLOW",
                    "UserPoolId": {"Ref": "UserPool6BA7E5F2"},
                },
            },
        },
        "ApiDefaultApiKeyF991C37B": {
            "Type": "AWS::AppSync::ApiKey",
            "Properties": {"ApiId": API, "Expires": 1798761600},
        },
        "ApiResolversDS0C1F4A2B": {
            "Type": "AWS::AppSync::DataSource",
            "Properties": {
                "ApiId": API,
                "LambdaConfig": {"LambdaFunctionArn": {"Fn::GetAtt": ["ResolversFn9D3E", "Arn"]}},
                "Name": "Resolvers",
                "ServiceRoleArn": {"Fn::GetAtt": ["ApiResolversDSServiceRole", "Arn"]},
                "Type": "AWS_LAMBDA",
            },
        },
        "ApiPublishDS7A1B": {
            "Type": "AWS::AppSync::DataSource",
            "Properties": {"ApiId": API, "Name": "Publish", "Type": "NONE"},
        },
        "ApiMutationvalidateOtpResolver3B9A": {
            "Type": "AWS::AppSync::Resolver",
            "Properties": {
                "ApiId": API,
                "DataSourceName": {"Fn::GetAtt": ["ApiResolversDS0C1F4A2B", "Name"]},
                "FieldName": "validateOtp",
                "Kind": "UNIT",
                "RequestMappingTemplate": REQUEST,
                "ResponseMappingTemplate": RESPONSE,
                "TypeName": "Mutation",
            },
            "DependsOn": ["ApiResolversDS0C1F4A2B", "ApiSchema510EECD7"],
        },
        "ApiMutationpublishSightingResolver77C1": {
            "Type": "AWS::AppSync::Resolver",
            "Properties": {
                "ApiId": API,
                "DataSourceName": {"Fn::GetAtt": ["ApiPublishDS7A1B", "Name"]},
                "FieldName": "publishSighting",
                "RequestMappingTemplate": '{"version":"2018-05-29","payload":$util.toJson($ctx.args.input)}',
                "ResponseMappingTemplate": "$util.toJson($ctx.result)",
                "TypeName": "Mutation",
            },
        },
        "UserPool6BA7E5F2": {"Type": "AWS::Cognito::UserPool", "Properties": {}},
    }
}


def test_the_wiring_is_what_the_template_says() -> None:
    wiring = wiring_from_template(FRAGMENT)

    assert (wiring.default_auth, wiring.additional_auth) == (
        "AMAZON_COGNITO_USER_POOLS",
        ("API_KEY", "AWS_IAM"),
    )
    assert wiring.has_api_key
    assert wiring.user_pool_id is None  # a Ref: known only once deployed
    assert wiring.data_sources == (DataSource("Resolvers", "AWS_LAMBDA"), DataSource("Publish", "NONE"))
    assert wiring.resolvers == (
        Resolver(
            "Mutation",
            "publishSighting",
            "Publish",
            '{"version":"2018-05-29","payload":$util.toJson($ctx.args.input)}',
            "$util.toJson($ctx.result)",
        ),
        Resolver("Mutation", "validateOtp", "Resolvers", REQUEST, RESPONSE),
    )


def test_the_simulator_gets_every_lambda_source_pointed_at_the_worker() -> None:
    wired = wiring_from_template(FRAGMENT).to_json(worker_url="http://127.0.0.1:9/", api_key="da2-k", port=0)

    assert wired["dataSources"] == [
        {"name": "Resolvers", "type": "AWS_LAMBDA", "workerUrl": "http://127.0.0.1:9/"},
        {"name": "Publish", "type": "NONE"},
    ]
    assert wired["authentication"] == {
        "default": "AMAZON_COGNITO_USER_POOLS",
        "additional": ["API_KEY", "AWS_IAM"],
    }
    assert wired["resolvers"][1]["responseMappingTemplate"] == RESPONSE


def _changed(change: Any) -> dict[str, Any]:
    template = copy.deepcopy(FRAGMENT)
    change(template["Resources"])
    return template


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda r: r.pop("Api47CC8C51"), "no AWS::AppSync::GraphQLApi"),
        (
            lambda r: r["ApiResolversDS0C1F4A2B"]["Properties"].update(Type="AMAZON_DYNAMODB"),
            "only AWS_LAMBDA and NONE",
        ),
        (
            lambda r: r["ApiMutationvalidateOtpResolver3B9A"]["Properties"].update(
                DataSourceName={"Fn::GetAtt": ["Elsewhere", "Name"]}
            ),
            "refers to no data source",
        ),
        (
            lambda r: r["ApiMutationvalidateOtpResolver3B9A"]["Properties"].update(Kind="PIPELINE"),
            "PIPELINE resolver",
        ),
        (
            lambda r: r["ApiMutationvalidateOtpResolver3B9A"]["Properties"].update(
                RequestMappingTemplate={"Fn::Sub": "${x}"}
            ),
            "must be a plain string",
        ),
    ],
    ids=["no-api", "dynamodb-source", "dangling-getatt", "pipeline", "token-template"],
)
def test_what_the_local_appsync_cannot_serve_is_refused(change: Any, complaint: str) -> None:
    with pytest.raises(WiringError, match=complaint):
        wiring_from_template(_changed(change))
