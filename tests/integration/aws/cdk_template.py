"""A template fragment in the shape the CDK app synthesises (cdk.out/*.template.json): the tables generated
from smartdoor/adapters/aws/tables.py as aws_dynamodb.Table emits them, and one of each other resource the
offline stand-up creates or skips, with the logical ids, Refs and Fn:: functions CDK writes."""

from __future__ import annotations

import hashlib
from typing import Any

from smartdoor.adapters.aws import tables

MAIL_FROM = "door@example.com"
COLLECTION = "door-faces"
STREAM_NAME = "AmazonRekognition-front-door"


def logical_id(path: str) -> str:
    """CDK's logical id: the construct path's parts joined, then 8 hex digits of its hash."""
    return path.replace("/", "") + hashlib.sha256(path.encode()).hexdigest()[:8].upper()


def table_id(table: tables.Table) -> str:
    return logical_id(f"Storage/{table.logical.capitalize()}Table")


def table_resource(table: tables.Table) -> dict[str, Any]:
    """aws_dynamodb.Table(billing_mode=PAY_PER_REQUEST, point_in_time_recovery=True, no table_name)."""
    request = tables.create_table_input(table)
    properties: dict[str, Any] = {
        "AttributeDefinitions": request["AttributeDefinitions"],
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": request["KeySchema"],
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    }
    if "GlobalSecondaryIndexes" in request:
        properties["GlobalSecondaryIndexes"] = request["GlobalSecondaryIndexes"]
    if table.stream is not None:
        properties["StreamSpecification"] = {"StreamViewType": table.stream}
    if table.ttl_attribute is not None:
        properties["TimeToLiveSpecification"] = {"AttributeName": table.ttl_attribute, "Enabled": True}
    return {
        "Type": "AWS::DynamoDB::Table",
        "Properties": properties,
        "UpdateReplacePolicy": "Retain",
        "DeletionPolicy": "Retain",
    }


BUCKET = logical_id("Storage/Photos")
BUCKET_POLICY = logical_id("Storage/Photos/Policy")
STREAM = logical_id("Analysis/Faces")
FAILED = logical_id("Analysis/FailedFaceBatches")
SECRET = logical_id("Storage/HmacKey")
IDENTITY = logical_id("Mail/Sender")
POOL = logical_id("Auth/Owners")
CLIENT = logical_id("Auth/Owners/Console")
GROUP = logical_id("Auth/OwnersGroup")
ROLE = logical_id("Analysis/StreamHandler/ServiceRole")
FUNCTION = logical_id("Analysis/StreamHandler")
MAPPING = logical_id("Analysis/StreamHandler/KinesisEventSource")
COLLECTION_ID = logical_id("Analysis/Collection")
VIDEO = logical_id("Analysis/FrontDoorVideo")
API = logical_id("Api/Api")
API_KEY = logical_id("Api/Api/DefaultApiKey")
DISTRIBUTION = logical_id("Pages/Distribution")


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def _arn(name: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, "Arn"]}


def fragment() -> dict[str, Any]:
    resources: dict[str, Any] = {table_id(t): table_resource(t) for t in tables.TABLES}
    environment: dict[str, Any] = {
        f"SMARTDOOR_TABLE_{t.logical.upper()}": _ref(table_id(t)) for t in tables.TABLES
    }
    environment |= {
        "SMARTDOOR_PHOTO_BUCKET": _ref(BUCKET),
        "SMARTDOOR_HMAC_SECRET_ID": _ref(SECRET),
        "SMARTDOOR_MAIL_FROM": _ref(IDENTITY),
        "SMARTDOOR_OWNER_EMAIL": "owner@example.com",
        "SMARTDOOR_OWNER_GROUP": _ref(GROUP),
        "SMARTDOOR_REKOGNITION_COLLECTION": _ref(COLLECTION_ID),
        "SMARTDOOR_KVS_STREAMS": {"Fn::Join": ["", ["front-door=", _ref(VIDEO)]]},
        "SMARTDOOR_APPSYNC_ENDPOINT": {"Fn::GetAtt": [API, "GraphQLUrl"]},
        "SMARTDOOR_PUBLIC_URL": {
            "Fn::Join": ["", ["https://", {"Fn::GetAtt": [DISTRIBUTION, "DomainName"]}]]
        },
        "POWERTOOLS_SERVICE_NAME": {"Fn::Sub": "${AWS::StackName}-stream"},
    }
    resources |= {
        BUCKET: {
            "Type": "AWS::S3::Bucket",
            "Properties": {
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
                "LifecycleConfiguration": {"Rules": [{"ExpirationInDays": 90, "Status": "Enabled"}]},
            },
            "UpdateReplacePolicy": "Retain",
            "DeletionPolicy": "Retain",
        },
        BUCKET_POLICY: {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": _ref(BUCKET),
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Action": "s3:*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            "Effect": "Deny",
                            "Principal": {"AWS": "*"},
                            "Resource": [
                                _arn(BUCKET),
                                {"Fn::Join": ["", [_arn(BUCKET), "/*"]]},
                            ],
                        }
                    ],
                    "Version": "2012-10-17",
                },
            },
        },
        STREAM: {
            "Type": "AWS::Kinesis::Stream",
            "Properties": {
                "Name": STREAM_NAME,
                "RetentionPeriodHours": 24,
                "ShardCount": 1,
                "StreamEncryption": {
                    "Fn::If": [
                        "AwsCdkKinesisEncryptedStreamsUnsupportedRegions",
                        {"Ref": "AWS::NoValue"},
                        {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"},
                    ]
                },
                "StreamModeDetails": {"StreamMode": "PROVISIONED"},
            },
        },
        FAILED: {
            "Type": "AWS::SQS::Queue",
            "Properties": {"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True},
            "UpdateReplacePolicy": "Delete",
            "DeletionPolicy": "Delete",
        },
        SECRET: {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {"GenerateSecretString": {"ExcludePunctuation": True, "PasswordLength": 48}},
            "UpdateReplacePolicy": "Delete",
            "DeletionPolicy": "Delete",
        },
        IDENTITY: {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": MAIL_FROM}},
        POOL: {
            "Type": "AWS::Cognito::UserPool",
            "Properties": {
                "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
                "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
                "AutoVerifiedAttributes": ["email"],
                "EmailVerificationMessage": "The verification code to your new account is {####}",
                "EmailVerificationSubject": "Verify your new account",
                "Policies": {
                    "PasswordPolicy": {
                        "MinimumLength": 12,
                        "RequireLowercase": True,
                        "RequireNumbers": True,
                        "RequireSymbols": False,
                        "RequireUppercase": True,
                    }
                },
                "SmsVerificationMessage": "The verification code to your new account is {####}",
                "UsernameAttributes": ["email"],
                "VerificationMessageTemplate": {
                    "DefaultEmailOption": "CONFIRM_WITH_CODE",
                    "EmailMessage": "The verification code to your new account is {####}",
                    "EmailSubject": "Verify your new account",
                    "SmsMessage": "The verification code to your new account is {####}",
                },
            },
            "UpdateReplacePolicy": "Retain",
            "DeletionPolicy": "Retain",
        },
        CLIENT: {
            "Type": "AWS::Cognito::UserPoolClient",
            "Properties": {
                "AllowedOAuthFlows": ["code"],
                "AllowedOAuthFlowsUserPoolClient": True,
                "AllowedOAuthScopes": ["openid", "email"],
                "CallbackURLs": [
                    {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [DISTRIBUTION, "DomainName"]}, "/"]]}
                ],
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                "GenerateSecret": False,
                "PreventUserExistenceErrors": "ENABLED",
                "SupportedIdentityProviders": ["COGNITO"],
                "UserPoolId": _ref(POOL),
            },
        },
        GROUP: {
            "Type": "AWS::Cognito::UserPoolGroup",
            "Properties": {"GroupName": "owners", "UserPoolId": _ref(POOL)},
        },
        COLLECTION_ID: {"Type": "AWS::Rekognition::Collection", "Properties": {"CollectionId": COLLECTION}},
        VIDEO: {
            "Type": "AWS::KinesisVideo::Stream",
            "Properties": {"Name": "front-door", "DataRetentionInHours": 24},
        },
        API: {
            "Type": "AWS::AppSync::GraphQLApi",
            "Properties": {"AuthenticationType": "API_KEY", "Name": "smartdoor"},
        },
        API_KEY: {"Type": "AWS::AppSync::ApiKey", "Properties": {"ApiId": {"Fn::GetAtt": [API, "ApiId"]}}},
        DISTRIBUTION: {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {}}},
        ROLE: {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Action": "sts:AssumeRole",
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                        }
                    ],
                    "Version": "2012-10-17",
                },
                "ManagedPolicyArns": [
                    {
                        "Fn::Join": [
                            "",
                            [
                                "arn:",
                                {"Ref": "AWS::Partition"},
                                ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                            ],
                        ]
                    }
                ],
            },
        },
        FUNCTION: {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Code": {
                    "S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
                    "S3Key": "0123abcd.zip",
                },
                "Environment": {"Variables": environment},
                "Handler": "stream_handler.handler",
                "MemorySize": 512,
                "Role": _arn(ROLE),
                "Runtime": "python3.12",
                "Timeout": 60,
            },
            "DependsOn": [ROLE],
        },
        MAPPING: {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "BatchSize": 100,
                "BisectBatchOnFunctionError": True,
                "DestinationConfig": {"OnFailure": {"Destination": _arn(FAILED)}},
                "EventSourceArn": _arn(STREAM),
                "FunctionName": _ref(FUNCTION),
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "MaximumRecordAgeInSeconds": 3600,
                "MaximumRetryAttempts": 2,
                "StartingPosition": "TRIM_HORIZON",
            },
        },
        "CDKMetadata": {
            "Type": "AWS::CDK::Metadata",
            "Properties": {"Analytics": "v2:deflate64:H4sIAAAAAAAA"},
            "Condition": "CDKMetadataAvailable",
        },
    }
    outputs = {
        "UserPoolId": {"Value": _ref(POOL)},
        "UserPoolClientId": {"Value": _ref(CLIENT)},
        "GraphQLUrl": {"Value": {"Fn::GetAtt": [API, "GraphQLUrl"]}},
        "ApiKey": {"Value": {"Fn::GetAtt": [API_KEY, "ApiKey"]}},
        "Region": {"Value": {"Ref": "AWS::Region"}},
        "OnlyInChina": {"Value": "x", "Condition": "AwsCdkKinesisEncryptedStreamsUnsupportedRegions"},
    }
    return {
        "Resources": resources,
        "Outputs": outputs,
        "Conditions": {
            "AwsCdkKinesisEncryptedStreamsUnsupportedRegions": {
                "Fn::Or": [
                    {"Fn::Equals": [{"Ref": "AWS::Region"}, "cn-north-1"]},
                    {"Fn::Equals": [{"Ref": "AWS::Region"}, "cn-northwest-1"]},
                ]
            },
            "CDKMetadataAvailable": {"Fn::Or": [{"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}]},
        },
        "Parameters": {
            "BootstrapVersion": {
                "Type": "AWS::SSM::Parameter::Value<String>",
                "Default": "/cdk-bootstrap/hnb659fds/version",
            }
        },
    }
