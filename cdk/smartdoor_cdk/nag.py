"""The cdk-nag AwsSolutions findings this app accepts, each on the constructs it concerns, with why."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import IConstruct

from smartdoor_cdk.api import Api
from smartdoor_cdk.sms_settings import SmsSettings
from smartdoor_cdk.storage import Storage


def _rule(name: str) -> str:
    return f"AwsSolutions::AwsSolutions-{name}"


FUNCTION_WILDCARDS = (
    "Only these wildcards: object keys under one prefix of B1 (sightings/, visitors/, frames/: the keys hold"
    " generated ids), and actions without resource-level permissions: X-Ray's PutTraceSegments and"
    " PutTelemetryRecords, rekognition:DetectFaces (it reads only the bytes it is sent), dynamodb:ListStreams"
    " (the stream mapping's grant) and sns:Publish to a phone number (SMS has no ARN)."
)
LAMBDA_LOGGING = (
    "AWSLambdaBasicExecutionRole is AWS's policy for writing a function's own logs; each function has its"
    " own log group, so it writes nowhere else."
)
RUNTIME = (
    "The runtime is the one the Lambda build's wheels are for (lambda_assets); it moves with that build,"
    " not with each new Python release."
)
BY_STACK = {
    "ASC3": "Field logging is ERROR with verbose content excluded on purpose: request logging with arguments"
    " would write passcodes to CloudWatch.",
    "COG2": "MFA is optional (TOTP) for the single owner account: the console signs in with password or SRP;"
    " the owner turns TOTP on for their user.",
    "COG8": "The Plus feature plan (threat protection) costs per active user; one owner account is guarded"
    " by a 14-character password policy, no self sign-up and optional TOTP.",
    "S1": "Server access logs would need a second bucket and cost per request; CloudTrail S3 data events"
    " can be enabled on B1 when an audit trail is wanted.",
    "SMG4": "Rotating the HMAC key invalidates every live passcode and email link at once; it is rotated by"
    " hand at a quiet time (put a new random value in the secret).",
    "L1": RUNTIME,
}
DEAD_LETTERS = (
    "This queue is itself a dead-letter queue: the on-failure destination of a Lambda trigger, which cdk-nag"
    " does not count as DLQ use."
)
INVOKE_VERSIONS = (
    "CDK grants the AppSync data source's role lambda:InvokeFunction on the function and its versions"
    " (<arn>:*); nothing else."
)


APPSYNC_LOGGING = "AWSAppSyncPushToCloudWatchLogs is the policy AppSync's own logging role needs."
CDK_HANDLERS = (
    "CDK's own deploy-time handlers (B1's event notification, the AppSync log group's retention): they call"
    " s3:PutBucketNotification and logs:PutRetentionPolicy/DeleteRetentionPolicy, which CDK grants on *;"
    " they run only while CloudFormation deploys."
)
SMS_ATTRIBUTES = (
    "sns:SetSMSAttributes sets the account's SMS settings and has no resource-level permissions: IAM takes"
    " only * for it. The policy allows that one action, for CDK's deploy-time handler of the SMS settings."
)
_MANAGED = "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
# The ids of CDK's singleton handlers in the stack (fixed by aws-cdk-lib).
_CDK_HANDLERS = (
    "BucketNotificationsHandler050a0587b7544547bf325f094a3db834",
    "LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a",
)


def acknowledge(
    stack: Stack,
    storage: Storage,
    api: Api,
    *,
    sms_settings: SmsSettings,
    functions: Sequence[lambda_.IFunction],
    dead_letter_queues: Sequence[sqs.IQueue],
) -> None:
    for name, reason in BY_STACK.items():
        _ack(stack, name, reason)
    _ack(stack, f"IAM4[{_MANAGED}AWSLambdaBasicExecutionRole]", LAMBDA_LOGGING)
    _ack(api.api, f"IAM4[{_MANAGED}AWSAppSyncPushToCloudWatchLogs]", APPSYNC_LOGGING)
    bucket = _logical_id(stack, storage.bucket)
    prefixes = ("sightings/", "visitors/", "frames/")
    for function in functions:
        for applies_to in ("Resource::*", *(f"Resource::<{bucket}.Arn>/{p}*" for p in prefixes)):
            _ack(function, f"IAM5[{applies_to}]", FUNCTION_WILDCARDS)
    _ack(api.api, f"IAM5[Resource::<{_logical_id(stack, api.resolvers)}.Arn>:*]", INVOKE_VERSIONS)
    _ack(sms_settings.resource, "IAM5[Resource::*]", SMS_ATTRIBUTES)
    for queue in dead_letter_queues:
        _ack(queue, "SQS3", DEAD_LETTERS)
    for handler_id in _CDK_HANDLERS:
        handler = stack.node.try_find_child(handler_id)
        if handler is not None:
            _ack(handler, "IAM5[Resource::*]", CDK_HANDLERS)


def _logical_id(stack: Stack, construct: IConstruct) -> str:
    element = construct.node.default_child
    assert isinstance(element, CfnElement)
    return stack.get_logical_id(element)


def _ack(scope: IConstruct, name: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=_rule(name), reason=reason))
