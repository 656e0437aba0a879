"""The AppSync part of a synthesised template, in the exact CloudFormation shape CDK emits, wiring every
Query and Mutation field of schema.graphql to the resolvers Lambda through mapping_templates.py and
publishSighting to a NONE data source.

It stands in for ``cdk.out`` until the CDK app synthesises one; the cloud tier reads it with the same
``wiring_from_template`` that will read the real template.
"""

from __future__ import annotations

from typing import Any

from graphql import ObjectTypeDefinitionNode, parse

from smartdoor_cdk.local_appsync import SCHEMA
from smartdoor_cdk.mapping_templates import REQUEST, RESPONSE

API = "SmartDoorApi1A2B3C4D"
LAMBDA_SOURCE = "SmartDoorApiResolversDataSource5E6F7A8B"
NONE_SOURCE = "SmartDoorApiPublishDataSource9C0D1E2F"
# publishSighting's NONE resolver hands the input back as the result, which fires onSighting.
PUBLISH_REQUEST = '{"version":"2018-05-29","payload":$util.toJson($ctx.arguments.input)}'
PUBLISH_RESPONSE = "$util.toJson($ctx.result)"


def _resolver(type_name: str, field_name: str) -> dict[str, Any]:
    published = (type_name, field_name) == ("Mutation", "publishSighting")
    source = NONE_SOURCE if published else LAMBDA_SOURCE
    return {
        "Type": "AWS::AppSync::Resolver",
        "Properties": {
            "ApiId": {"Fn::GetAtt": [API, "ApiId"]},
            "DataSourceName": {"Fn::GetAtt": [source, "Name"]},
            "FieldName": field_name,
            "Kind": "UNIT",
            "RequestMappingTemplate": PUBLISH_REQUEST if published else REQUEST,
            "ResponseMappingTemplate": PUBLISH_RESPONSE if published else RESPONSE,
            "TypeName": type_name,
        },
        "DependsOn": [source, "SmartDoorApiSchemaA1B2C3D4"],
    }


def synthesised() -> dict[str, Any]:
    fields = [
        (node.name.value, field.name.value)
        for node in parse(SCHEMA.read_text()).definitions
        if isinstance(node, ObjectTypeDefinitionNode) and node.name.value in ("Query", "Mutation")
        for field in node.fields or ()
    ]
    resources: dict[str, Any] = {
        API: {
            "Type": "AWS::AppSync::GraphQLApi",
            "Properties": {
                "AdditionalAuthenticationProviders": [
                    {"AuthenticationType": "API_KEY"},
                    {"AuthenticationType": "AWS_IAM"},
                ],
                "AuthenticationType": "AMAZON_COGNITO_USER_POOLS",
                "Name": "smartdoor",
                "UserPoolConfig": {
                    "AwsRegion": {"Ref": "AWS::Region"},
                    "DefaultAction": "ALLOW",
                    "UserPoolId": {"Ref": "OwnersUserPool6BA7E5F2"},
                },
            },
        },
        "SmartDoorApiDefaultApiKey5A6B7C8D": {
            "Type": "AWS::AppSync::ApiKey",
            "Properties": {"ApiId": {"Fn::GetAtt": [API, "ApiId"]}, "Expires": 1798761600},
        },
        LAMBDA_SOURCE: {
            "Type": "AWS::AppSync::DataSource",
            "Properties": {
                "ApiId": {"Fn::GetAtt": [API, "ApiId"]},
                "LambdaConfig": {"LambdaFunctionArn": {"Fn::GetAtt": ["ResolversFunction1234ABCD", "Arn"]}},
                "Name": "Resolvers",
                "ServiceRoleArn": {"Fn::GetAtt": ["SmartDoorApiResolversServiceRole0A1B2C3D", "Arn"]},
                "Type": "AWS_LAMBDA",
            },
        },
        NONE_SOURCE: {
            "Type": "AWS::AppSync::DataSource",
            "Properties": {"ApiId": {"Fn::GetAtt": [API, "ApiId"]}, "Name": "Publish", "Type": "NONE"},
        },
    }
    for type_name, field_name in fields:
        resources[f"SmartDoorApi{type_name}{field_name}Resolver"] = _resolver(type_name, field_name)
    return {"Resources": resources}
