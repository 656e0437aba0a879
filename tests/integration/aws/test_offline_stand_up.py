"""The offline stand-up of a template fragment in CDK's shape: every resource moto holds exists on the moto
server as the template describes it, the rest is reported as skipped, and the Lambda's environment is
resolved to the physical names, as CloudFormation would resolve it."""

from __future__ import annotations

import json
import string

import pytest

from smartdoor.adapters.aws import tables
from smartdoor.config import Settings
from smartdoor_cdk.offline.cloud_build import OUR_PACKAGES
from smartdoor_cdk.offline.intrinsics import Physical, TemplateError
from smartdoor_cdk.offline.moto_resources import POLICY_WITH_DENY
from smartdoor_cdk.offline.physical_names import generated_name
from smartdoor_cdk.offline.stand_up import (
    NO_ASYNC_INVOKE,
    NOT_EMULATED,
    PAGES_SERVED_LOCALLY,
    QUEUE_POLICY,
    SCHEDULED_OFFLINE,
    SERVED_BY_FAKES,
    SERVED_BY_LOCAL_APPSYNC,
    Skipped,
    stand_up,
)

from . import cdk_template as cdk
from .conftest import Aws

pytestmark = pytest.mark.integration

STACK = "SmartDoor"
ACCOUNT = "123456789012"


def test_every_table_exists_with_the_key_schema_indexes_ttl_and_stream_of_tables_py(aws: Aws) -> None:
    stood = stand_up(cdk.fragment(), aws.client, stack_name=STACK)
    dynamodb = aws.dynamodb()
    for table in tables.TABLES:
        name = stood.resources[cdk.table_id(table)].ref
        # unnamed in the template: CloudFormation's kind of name, the same at every stand-up
        assert name == generated_name(STACK, cdk.table_id(table), "AWS::DynamoDB::Table")
        assert name.startswith(f"{STACK}-{cdk.table_id(table)}-")
        described = dynamodb.describe_table(TableName=name)["Table"]
        expected = tables.create_table_input(table)
        assert described["KeySchema"] == expected["KeySchema"]
        assert sorted(described["AttributeDefinitions"], key=str) == sorted(
            expected["AttributeDefinitions"], key=str
        )
        assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        indexes = {i["IndexName"]: i["KeySchema"] for i in described.get("GlobalSecondaryIndexes", [])}
        assert indexes == {i["IndexName"]: i["KeySchema"] for i in expected.get("GlobalSecondaryIndexes", [])}
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if table.ttl_attribute is None:
            assert ttl["TimeToLiveStatus"] == "DISABLED"
        else:
            assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", table.ttl_attribute)
        stream = described.get("StreamSpecification")
        if table.stream is None:
            assert not stream or not stream["StreamEnabled"]
            assert "StreamArn" not in stood.resources[cdk.table_id(table)].attributes
        else:
            assert stream == {"StreamEnabled": True, "StreamViewType": table.stream}
            assert (
                stood.resources[cdk.table_id(table)].attributes["StreamArn"] == described["LatestStreamArn"]
            )
        assert stood.resources[cdk.table_id(table)].attributes["Arn"] == described["TableArn"]
        backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_a_table_v2_global_table_is_made_with_its_replicas_pitr(aws: Aws) -> None:
    # aws_dynamodb.TableV2 synthesises AWS::DynamoDB::GlobalTable, PITR per replica
    properties = cdk.table_resource(tables.OUTBOX)["Properties"]
    pitr = properties.pop("PointInTimeRecoverySpecification")
    properties["Replicas"] = [{"Region": "us-east-1", "PointInTimeRecoverySpecification": pitr}]
    template = {"Resources": {"Outbox": {"Type": "AWS::DynamoDB::GlobalTable", "Properties": properties}}}
    stood = stand_up(template, aws.client, stack_name=STACK)
    name = stood.resources["Outbox"].ref
    dynamodb = aws.dynamodb()
    described = dynamodb.describe_table(TableName=name)["Table"]
    assert described["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert [i["IndexName"] for i in described["GlobalSecondaryIndexes"]] == [
        i["IndexName"] for i in tables.create_table_input(tables.OUTBOX)["GlobalSecondaryIndexes"]
    ]
    assert (
        dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["AttributeName"]
        == "expiresAt"
    )
    backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert "Outbox" not in stood.ignored


def test_bucket_stream_queue_secret_identity_and_user_pool_exist(aws: Aws) -> None:
    stood = stand_up(cdk.fragment(), aws.client, stack_name=STACK)
    bucket = stood.resources[cdk.BUCKET].ref
    assert bucket == generated_name(STACK, cdk.BUCKET, "AWS::S3::Bucket") == bucket.lower()
    s3 = aws.s3()
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicAcls"]
    # CDK's enforce-SSL policy is not applied: moto would enforce it on its plain-HTTP endpoint
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket=bucket)
    assert stood.ignored[cdk.BUCKET] == ("LifecycleConfiguration",)  # said, not silently dropped

    kinesis = aws.client("kinesis")
    summary = kinesis.describe_stream_summary(StreamName=cdk.STREAM_NAME)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 1
    assert stood.resources[cdk.STREAM] == Physical(cdk.STREAM_NAME, {"Arn": summary["StreamARN"]})
    # Fn::If chose KMS outside China; moto's stream stays unencrypted, and the report says so
    assert stood.ignored[cdk.STREAM] == ("StreamEncryption",)

    queue = stood.resources[cdk.FAILED]
    attributes = aws.client("sqs").get_queue_attributes(QueueUrl=queue.ref, AttributeNames=["All"])[
        "Attributes"
    ]
    assert attributes["MessageRetentionPeriod"] == "1209600"
    assert attributes["QueueArn"] == queue.attributes["Arn"]
    assert queue.attributes["QueueName"] == generated_name(STACK, cdk.FAILED, "AWS::SQS::Queue")

    secret = aws.client("secretsmanager").get_secret_value(SecretId=stood.resources[cdk.SECRET].ref)
    value = secret["SecretString"]
    assert len(value) == 48
    assert set(value) <= set(string.ascii_letters + string.digits)
    assert secret["ARN"] == stood.resources[cdk.SECRET].ref  # Ref of a secret is its ARN

    ses = aws.client("ses")
    verification = ses.get_identity_verification_attributes(Identities=[cdk.MAIL_FROM])[
        "VerificationAttributes"
    ]
    assert verification[cdk.MAIL_FROM]["VerificationStatus"] == "Success"

    cognito = aws.client("cognito-idp")
    pool_id = stood.resources[cdk.POOL].ref
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert pool["EmailVerificationSubject"] == "Verify your new account"
    assert cdk.POOL not in stood.ignored  # every property CDK writes for a pool is CreateUserPool's too
    assert (
        stood.resources[cdk.POOL].attributes["ProviderName"]
        == f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    )
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=stood.resources[cdk.CLIENT].ref)
    assert client["UserPoolClient"]["ExplicitAuthFlows"] == [
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
    distribution = stood.resources[cdk.DISTRIBUTION].attributes["DomainName"]
    assert client["UserPoolClient"]["CallbackURLs"] == [f"https://{distribution}/"]
    assert cognito.get_group(GroupName="owners", UserPoolId=pool_id)["Group"]["GroupName"] == "owners"


def test_a_bucket_policy_that_denies_nothing_is_applied(aws: Aws) -> None:
    template = cdk.fragment()
    policy = template["Resources"][cdk.BUCKET_POLICY]["Properties"]["PolicyDocument"]
    policy["Statement"] = [{**policy["Statement"][0], "Effect": "Allow", "Condition": {}}]
    stood = stand_up(template, aws.client, stack_name=STACK)
    assert cdk.BUCKET_POLICY not in stood.skipped
    bucket = stood.resources[cdk.BUCKET].ref
    assert (
        json.loads(aws.s3().get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Effect"] == "Allow"
    )


def test_what_moto_does_not_hold_is_reported_as_skipped(aws: Aws) -> None:
    stood = stand_up(cdk.fragment(), aws.client, stack_name=STACK)
    assert stood.skipped == {
        cdk.COLLECTION_ID: Skipped("AWS::Rekognition::Collection", SERVED_BY_FAKES),
        cdk.VIDEO: Skipped("AWS::KinesisVideo::Stream", SERVED_BY_FAKES),
        cdk.API: Skipped("AWS::AppSync::GraphQLApi", SERVED_BY_LOCAL_APPSYNC),
        cdk.API_KEY: Skipped("AWS::AppSync::ApiKey", SERVED_BY_LOCAL_APPSYNC),
        cdk.BUCKET_POLICY: Skipped("AWS::S3::BucketPolicy", POLICY_WITH_DENY),
        cdk.DISTRIBUTION: Skipped("AWS::CloudFront::Distribution", NOT_EMULATED),
        cdk.ROLE: Skipped("AWS::IAM::Role", NOT_EMULATED),
        "CDKMetadata": Skipped("AWS::CDK::Metadata", NOT_EMULATED),
    }


def test_the_lambda_environment_is_resolved_to_the_physical_names(aws: Aws) -> None:
    local_appsync = Physical(
        "arn:aws:appsync:us-east-1:123456789012:apis/local",
        {"ApiId": "local", "GraphQLUrl": "http://127.0.0.1:20002/graphql"},
    )
    stood = stand_up(cdk.fragment(), aws.client, stack_name=STACK, served={cdk.API: local_appsync})
    [function] = stood.functions.values()
    assert function.handler == "stream_handler.handler"
    assert function.runtime == "python3.12"
    role = generated_name(STACK, cdk.ROLE, "AWS::IAM::Role")
    assert function.role_arn == f"arn:aws:iam::{ACCOUNT}:role/{role}"
    assert function.name == generated_name(STACK, cdk.FUNCTION, "AWS::Lambda::Function")
    tables_by_variable = {
        f"SMARTDOOR_TABLE_{t.logical.upper()}": stood.resources[cdk.table_id(t)].ref for t in tables.TABLES
    }
    assert function.environment == {
        **tables_by_variable,
        "SMARTDOOR_PHOTO_BUCKET": stood.resources[cdk.BUCKET].ref,
        "SMARTDOOR_HMAC_SECRET_ID": stood.resources[cdk.SECRET].ref,
        "SMARTDOOR_MAIL_FROM": cdk.MAIL_FROM,
        "SMARTDOOR_OWNER_EMAIL": "owner@example.com",
        "SMARTDOOR_OWNER_GROUP": "owners",
        "SMARTDOOR_REKOGNITION_COLLECTION": cdk.COLLECTION,
        "SMARTDOOR_KVS_STREAMS": "front-door=front-door",
        "SMARTDOOR_APPSYNC_ENDPOINT": "http://127.0.0.1:20002/graphql",
        "SMARTDOOR_PUBLIC_URL": "https://" + stood.resources[cdk.DISTRIBUTION].attributes["DomainName"],
        "POWERTOOLS_SERVICE_NAME": "SmartDoor-stream",
    }
    # the door's own settings read it as the deployed function will
    settings = Settings.from_env(function.environment)
    assert settings.table_sightings == stood.resources[cdk.table_id(tables.SIGHTINGS)].ref
    [mapping] = stood.mappings.values()
    assert mapping.function_name == function.name
    assert mapping.stream_arn == stood.resources[cdk.STREAM].attributes["Arn"]
    assert mapping.on_failure_arn == stood.resources[cdk.FAILED].attributes["Arn"]
    assert (mapping.batch_size, mapping.max_retries, mapping.max_record_age_seconds) == (100, 2, 3600)
    assert mapping.bisect_on_error
    assert mapping.report_batch_item_failures
    assert mapping.starting_position == "TRIM_HORIZON"


def test_the_outputs_resolve_to_what_the_pages_config_needs(aws: Aws) -> None:
    local_appsync = Physical("arn:local", {"GraphQLUrl": "http://127.0.0.1:20002/graphql"})
    local_key = Physical("arn:local/apikeys/da2-local", {"ApiKey": "da2-local"})
    stood = stand_up(
        cdk.fragment(), aws.client, stack_name=STACK, served={cdk.API: local_appsync, cdk.API_KEY: local_key}
    )
    assert stood.outputs == {
        "UserPoolId": stood.resources[cdk.POOL].ref,
        "UserPoolClientId": stood.resources[cdk.CLIENT].ref,
        "GraphQLUrl": "http://127.0.0.1:20002/graphql",
        "ApiKey": "da2-local",
        "Region": "us-east-1",
    }  # an output under a false condition is not there, as CloudFormation leaves it out


def test_a_resource_type_with_no_stand_up_is_refused_before_anything_is_made(aws: Aws) -> None:
    template = {"Resources": {"Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {}}}}
    with pytest.raises(TemplateError, match="AWS::StepFunctions::StateMachine"):
        stand_up(template, aws.client)


def test_queue_policies_schedules_async_configs_and_layers_are_skipped_with_their_reasons(aws: Aws) -> None:
    # The stream handler's dead-letter queue has CDK's enforce-SSL policy; scheduled functions have a rule
    # and an async invoke config; the pages' BucketDeployment brings CDK's AWS CLI layer.
    template = {
        "Resources": {
            "Failures": {"Type": "AWS::SQS::Queue", "Properties": {}},
            "FailuresPolicy": {
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {
                    "Queues": [{"Ref": "Failures"}],
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Action": "sqs:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                "Effect": "Deny",
                                "Principal": {"AWS": "*"},
                                "Resource": {"Fn::GetAtt": ["Failures", "Arn"]},
                            }
                        ],
                        "Version": "2012-10-17",
                    },
                },
            },
            "Every": {
                "Type": "AWS::Events::Rule",
                "Properties": {"ScheduleExpression": "rate(1 minute)", "State": "ENABLED"},
            },
            "Retries": {
                "Type": "AWS::Lambda::EventInvokeConfig",
                "Properties": {"FunctionName": "f", "MaximumRetryAttempts": 2, "Qualifier": "$LATEST"},
            },
            "AwsCliLayer": {
                "Type": "AWS::Lambda::LayerVersion",
                "Properties": {"Content": {"S3Bucket": "cdk-assets", "S3Key": "layer.zip"}},
            },
        }
    }
    stood = stand_up(template, aws.client, stack_name=STACK)
    assert stood.skipped == {
        "FailuresPolicy": Skipped("AWS::SQS::QueuePolicy", QUEUE_POLICY),
        "Every": Skipped("AWS::Events::Rule", SCHEDULED_OFFLINE),
        "Retries": Skipped("AWS::Lambda::EventInvokeConfig", NO_ASYNC_INVOKE),
        "AwsCliLayer": Skipped("AWS::Lambda::LayerVersion", PAGES_SERVED_LOCALLY),
    }
    assert aws.client("sqs").list_queues()["QueueUrls"] == [stood.resources["Failures"].ref]  # Ref: the URL


def test_cdks_custom_resource_its_provider_role_and_policy_are_skipped_and_its_node_handler_is_not_run(
    aws: Aws,
) -> None:
    # The SMS settings as the CDK app synthesises them: AwsCustomResource's Custom::AWS resource, its policy,
    # and the provider SingletonFunction (CDK's prebuilt Node.js handler) with its role.
    provider = "AWS679f53fac002430cb0da5b7982bd22872D164C4C"
    role = "AWS679f53fac002430cb0da5b7982bd2287ServiceRoleC1EA0FF2"
    call = '{"action":"setSMSAttributes","service":"SNS","parameters":{"attributes":{}}}'
    template = {
        "Resources": {
            "SmsSettingsAttributes1": {
                "Type": "Custom::AWS",
                "Properties": {
                    "ServiceToken": {"Fn::GetAtt": [provider, "Arn"]},
                    "Create": call,
                    "Update": call,
                    "InstallLatestAwsSdk": False,
                },
                "DependsOn": ["SmsSettingsAttributesCustomResourcePolicy1"],
            },
            "SmsSettingsAttributesCustomResourcePolicy1": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [{"Action": "sns:SetSMSAttributes", "Effect": "Allow", "Resource": "*"}],
                        "Version": "2012-10-17",
                    },
                    "PolicyName": "SmsSettingsAttributesCustomResourcePolicy1",
                    "Roles": [{"Ref": role}],
                },
            },
            role: {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": {"Statement": [], "Version": "2012-10-17"}},
            },
            provider: {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Code": {"S3Bucket": "cdk-assets", "S3Key": "provider.zip"},
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": [role, "Arn"]},
                    "Runtime": "nodejs24.x",
                    "Timeout": 120,
                },
                "DependsOn": [role],
            },
        }
    }
    stood = stand_up(template, aws.client, stack_name=STACK)
    assert stood.skipped == {
        "SmsSettingsAttributes1": Skipped("Custom::AWS", NOT_EMULATED),
        "SmsSettingsAttributesCustomResourcePolicy1": Skipped("AWS::IAM::Policy", NOT_EMULATED),
        role: Skipped("AWS::IAM::Role", NOT_EMULATED),
    }
    # The provider is recorded as deployed, but the cloud build starts workers for the door's own packages
    # only: nothing runs the Node.js handler, and nothing calls SNS's SetSMSAttributes offline.
    [function] = stood.functions.values()
    assert (function.handler, function.runtime) == ("index.handler", "nodejs24.x")
    assert not function.handler.startswith(OUR_PACKAGES)
