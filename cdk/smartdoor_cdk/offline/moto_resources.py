"""One creator per CloudFormation resource type that moto holds: resolved template properties in, the
resource made through the service's own API, its Ref and attributes out (and the properties not applied,
so a report can say what the offline build leaves out)."""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smartdoor_cdk.offline.intrinsics import Physical

Clients = Callable[[str], Any]  # service name → a boto3 client of the moto server


@dataclass(frozen=True)
class Created:
    physical: Physical
    ignored: tuple[str, ...] = ()  # properties the template sets that the offline resource does not apply
    skipped: str | None = None  # why the resource was not made after all


@dataclass(frozen=True)
class Target:
    """Where a resource goes: the clients, the region and the name CloudFormation would give it."""

    client: Clients
    region: str
    account: str
    generated_name: str


def _ignored(properties: dict[str, Any], applied: set[str]) -> tuple[str, ...]:
    return tuple(sorted(set(properties) - applied))


def dynamodb_table(properties: dict[str, Any], target: Target) -> Created:
    """AWS::DynamoDB::Table (and the single-region AWS::DynamoDB::GlobalTable of CDK's TableV2)."""
    dynamodb = target.client("dynamodb")
    name = properties.get("TableName", target.generated_name)
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": properties["KeySchema"],
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "BillingMode": properties.get("BillingMode", "PROVISIONED"),
    }
    throughput = properties.get("ProvisionedThroughput")
    if request["BillingMode"] == "PROVISIONED":
        request["ProvisionedThroughput"] = throughput or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if key in properties:
            # CFN-only keys (ContributorInsightsSpecification...) are not CreateTable's.
            allowed = {"IndexName", "KeySchema", "Projection", "ProvisionedThroughput"}
            request[key] = [{k: v for k, v in i.items() if k in allowed} for i in properties[key]]
    stream = properties.get("StreamSpecification")
    if stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    if "DeletionProtectionEnabled" in properties:
        request["DeletionProtectionEnabled"] = bool(properties["DeletionProtectionEnabled"])
    description = dynamodb.create_table(**request)["TableDescription"]
    applied = {*request, "TableName"}
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": bool(ttl["Enabled"]), "AttributeName": ttl["AttributeName"]},
        )
        applied.add("TimeToLiveSpecification")
    pitr = properties.get("PointInTimeRecoverySpecification") or _replica(properties, target).get(
        "PointInTimeRecoverySpecification"
    )
    if pitr:
        dynamodb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": bool(pitr["PointInTimeRecoveryEnabled"])
            },
        )
        applied |= {"PointInTimeRecoverySpecification", "Replicas"}
    attributes = {"Arn": description["TableArn"]}
    if "LatestStreamArn" in description:
        attributes["StreamArn"] = description["LatestStreamArn"]
    return Created(Physical(name, attributes), _ignored(properties, applied))


def _replica(properties: dict[str, Any], target: Target) -> dict[str, Any]:
    for replica in properties.get("Replicas", []):
        if replica.get("Region") == target.region:
            found: dict[str, Any] = replica
            return found
    return {}


def s3_bucket(properties: dict[str, Any], target: Target) -> Created:
    s3 = target.client("s3")
    name = properties.get("BucketName", target.generated_name)
    if target.region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": target.region})
    applied = {"BucketName"}
    if "VersioningConfiguration" in properties:
        s3.put_bucket_versioning(
            Bucket=name, VersioningConfiguration={"Status": properties["VersioningConfiguration"]["Status"]}
        )
        applied.add("VersioningConfiguration")
    if "PublicAccessBlockConfiguration" in properties:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"]
        )
        applied.add("PublicAccessBlockConfiguration")
    if "BucketEncryption" in properties:
        # CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault.
        rules = [
            {
                ("ApplyServerSideEncryptionByDefault" if k == "ServerSideEncryptionByDefault" else k): v
                for k, v in r.items()
            }
            for r in properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        applied.add("BucketEncryption")
    attributes = {
        "Arn": f"arn:aws:s3:::{name}",
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{target.region}.amazonaws.com",
    }
    return Created(Physical(name, attributes), _ignored(properties, applied))


POLICY_WITH_DENY = "a Deny statement (CDK's enforce-SSL) that moto enforces on its plain-HTTP endpoint"


def s3_bucket_policy(properties: dict[str, Any], target: Target) -> Created:
    # moto evaluates bucket policies: CDK's deny of aws:SecureTransport = false would refuse every request
    # to the http:// endpoint. Only a policy that denies nothing is harmless to apply.
    bucket = properties["Bucket"]
    document = properties["PolicyDocument"]
    if any(statement.get("Effect") == "Deny" for statement in document.get("Statement", [])):
        return Created(Physical(bucket), skipped=POLICY_WITH_DENY)
    target.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(document))
    return Created(Physical(bucket))


def kinesis_stream(properties: dict[str, Any], target: Target) -> Created:
    kinesis = target.client("kinesis")
    name = properties.get("Name", target.generated_name)
    mode = properties.get("StreamModeDetails", {}).get("StreamMode", "PROVISIONED")
    request: dict[str, Any] = {"StreamName": name, "StreamModeDetails": {"StreamMode": mode}}
    if mode == "PROVISIONED":
        request["ShardCount"] = int(properties.get("ShardCount", 1))
    kinesis.create_stream(**request)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    applied = {"Name", "ShardCount", "StreamModeDetails"}
    hours = int(properties.get("RetentionPeriodHours", 24))
    if hours > 24:
        kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=hours)
    applied.add("RetentionPeriodHours")
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    return Created(Physical(name, {"Arn": arn}), _ignored(properties, applied))


_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "SqsManagedSseEnabled",
)


def sqs_queue(properties: dict[str, Any], target: Target) -> Created:
    fifo = bool(properties.get("FifoQueue"))
    name = properties.get("QueueName", target.generated_name + (".fifo" if fifo else ""))
    attributes = {
        key: (str(value).lower() if isinstance(value, bool) else str(value))
        for key, value in properties.items()
        if key in _QUEUE_ATTRIBUTES
    }
    if "RedrivePolicy" in properties:
        attributes["RedrivePolicy"] = json.dumps(properties["RedrivePolicy"])
    sqs = target.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    applied = {"QueueName", "RedrivePolicy", *_QUEUE_ATTRIBUTES}
    return Created(
        Physical(url, {"Arn": arn, "QueueName": name, "QueueUrl": url}), _ignored(properties, applied)
    )


def generate_secret_string(spec: dict[str, Any], choice: Callable[[str], str] = secrets.choice) -> str:
    """A value as Secrets Manager's GenerateSecretString makes it (random from ``secrets``)."""
    alphabet = ""
    if not spec.get("ExcludeLowercase"):
        alphabet += string.ascii_lowercase
    if not spec.get("ExcludeUppercase"):
        alphabet += string.ascii_uppercase
    if not spec.get("ExcludeNumbers"):
        alphabet += string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += string.punctuation
    if spec.get("IncludeSpace"):
        alphabet += " "
    excluded = set(spec.get("ExcludeCharacters", ""))
    alphabet = "".join(c for c in alphabet if c not in excluded)
    value = "".join(choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))
    if "SecretStringTemplate" in spec:
        document = json.loads(spec["SecretStringTemplate"])
        document[spec["GenerateStringKey"]] = value
        return json.dumps(document)
    return value


def secret(properties: dict[str, Any], target: Target) -> Created:
    name = properties.get("Name", target.generated_name)
    value = properties.get("SecretString")
    if value is None:
        value = generate_secret_string(properties.get("GenerateSecretString", {}))
    request: dict[str, Any] = {"Name": name, "SecretString": value}
    if "Description" in properties:
        request["Description"] = properties["Description"]
    arn = target.client("secretsmanager").create_secret(**request)["ARN"]
    applied = {"Name", "SecretString", "GenerateSecretString", "Description"}
    return Created(Physical(arn, {"Id": arn}), _ignored(properties, applied))


def ses_email_identity(properties: dict[str, Any], target: Target) -> Created:
    identity = properties["EmailIdentity"]
    target.client("sesv2").create_email_identity(EmailIdentity=identity)
    # The sandbox's verification, done at once: moto sends from any identity it holds as verified, and
    # answers "Success" for it to SES's own verification query (its SESv2 status field stays false).
    target.client("ses").verify_email_identity(EmailAddress=identity)
    return Created(Physical(identity), _ignored(properties, {"EmailIdentity"}))


def sns_topic(properties: dict[str, Any], target: Target) -> Created:
    name = properties.get("TopicName", target.generated_name)
    arn = target.client("sns").create_topic(Name=name)["TopicArn"]
    return Created(Physical(arn, {"TopicArn": arn, "TopicName": name}), _ignored(properties, {"TopicName"}))


_POOL_KEYS = (
    "Policies",
    "AutoVerifiedAttributes",
    "AliasAttributes",
    "UsernameAttributes",
    "MfaConfiguration",
    "Schema",
    "AccountRecoverySetting",
    "UsernameConfiguration",
    "DeletionProtection",
    "VerificationMessageTemplate",
    "UserAttributeUpdateSettings",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "SmsVerificationMessage",
    "SmsAuthenticationMessage",
    "EmailConfiguration",
    "UserPoolAddOns",
    "UserPoolTags",
)


def cognito_user_pool(properties: dict[str, Any], target: Target) -> Created:
    request: dict[str, Any] = {k: v for k, v in properties.items() if k in _POOL_KEYS}
    request["PoolName"] = properties.get("UserPoolName", target.generated_name)
    admin = properties.get("AdminCreateUserConfig")
    if admin is not None:
        # UnusedAccountValidityDays is CloudFormation's own (deprecated) key, not CreateUserPool's.
        request["AdminCreateUserConfig"] = {
            k: v for k, v in admin.items() if k != "UnusedAccountValidityDays"
        }
    pool = target.client("cognito-idp").create_user_pool(**request)["UserPool"]
    provider = f"cognito-idp.{target.region}.amazonaws.com/{pool['Id']}"
    attributes = {
        "Arn": pool["Arn"],
        "UserPoolId": pool["Id"],
        "ProviderName": provider,
        "ProviderURL": f"https://{provider}",
    }
    applied = {*_POOL_KEYS, "UserPoolName", "AdminCreateUserConfig"}
    return Created(Physical(pool["Id"], attributes), _ignored(properties, applied))


_CLIENT_KEYS = (
    "ClientName",
    "GenerateSecret",
    "ExplicitAuthFlows",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "CallbackURLs",
    "LogoutURLs",
    "SupportedIdentityProviders",
    "PreventUserExistenceErrors",
    "RefreshTokenValidity",
    "AccessTokenValidity",
    "IdTokenValidity",
    "TokenValidityUnits",
    "EnableTokenRevocation",
    "ReadAttributes",
    "WriteAttributes",
)


def cognito_user_pool_client(properties: dict[str, Any], target: Target) -> Created:
    request: dict[str, Any] = {k: v for k, v in properties.items() if k in _CLIENT_KEYS}
    request.setdefault("ClientName", target.generated_name)
    client = target.client("cognito-idp").create_user_pool_client(
        UserPoolId=properties["UserPoolId"], **request
    )["UserPoolClient"]
    attributes = {"ClientId": client["ClientId"], "Name": client["ClientName"]}
    if "ClientSecret" in client:
        attributes["ClientSecret"] = client["ClientSecret"]
    applied = {*_CLIENT_KEYS, "UserPoolId"}
    return Created(Physical(client["ClientId"], attributes), _ignored(properties, applied))


def cognito_user_pool_group(properties: dict[str, Any], target: Target) -> Created:
    name = properties.get("GroupName", target.generated_name)
    request: dict[str, Any] = {"GroupName": name, "UserPoolId": properties["UserPoolId"]}
    for key in ("Description", "Precedence", "RoleArn"):
        if key in properties:
            request[key] = properties[key]
    target.client("cognito-idp").create_group(**request)
    return Created(Physical(name), _ignored(properties, {*request}))


CREATORS: dict[str, Callable[[dict[str, Any], Target], Created]] = {
    "AWS::DynamoDB::Table": dynamodb_table,
    "AWS::DynamoDB::GlobalTable": dynamodb_table,
    "AWS::S3::Bucket": s3_bucket,
    "AWS::S3::BucketPolicy": s3_bucket_policy,
    "AWS::Kinesis::Stream": kinesis_stream,
    "AWS::SQS::Queue": sqs_queue,
    "AWS::SecretsManager::Secret": secret,
    "AWS::SES::EmailIdentity": ses_email_identity,
    "AWS::SNS::Topic": sns_topic,
    "AWS::Cognito::UserPool": cognito_user_pool,
    "AWS::Cognito::UserPoolClient": cognito_user_pool_client,
    "AWS::Cognito::UserPoolGroup": cognito_user_pool_group,
}
