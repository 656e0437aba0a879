"""The SES identities and the send grant (ses:SendEmail on the door's identities; sns:Publish for SMS)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from smartdoor_cdk.messaging import Messaging
from tests.cdk.conftest import Synthesised

pytestmark = pytest.mark.cdk


def test_the_sender_and_the_owner_are_ses_email_identities(frames: Synthesised) -> None:
    identities = {
        i["Properties"]["EmailIdentity"] for i in frames.resources("AWS::SES::EmailIdentity").values()
    }
    assert identities == {"door@example.com", "owner@example.com"}


def test_one_identity_when_the_owner_is_the_sender() -> None:
    stack = cdk.Stack(cdk.App(), env=cdk.Environment(account="111111111111", region="eu-west-1"))
    Messaging(stack, "Messaging", sender="door@example.com", owner_email="Door@Example.com")
    Template.from_stack(stack).resource_count_is("AWS::SES::EmailIdentity", 1)


def test_the_send_grant_is_the_senders_identity_and_sms_publish() -> None:
    stack = cdk.Stack(cdk.App(), env=cdk.Environment(account="111111111111", region="eu-west-1"))
    messaging = Messaging(stack, "Messaging", sender="door@example.com", owner_email="owner@example.com")
    role = iam.Role(stack, "Sender", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    messaging.grant_send(role)
    (policy,) = Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": "ses:SendEmail",
            "Effect": "Allow",
            # the owner's identity too: in the sandbox SES authorises the send on the recipient's identity
            "Resource": [
                {
                    "Fn::Join": [
                        "",
                        [
                            "arn:",
                            {"Ref": "AWS::Partition"},
                            f":ses:eu-west-1:111111111111:identity/{address}",
                        ],
                    ]
                }
                for address in ("door@example.com", "owner@example.com")
            ],
        },
        {"Action": "sns:Publish", "Effect": "Allow", "Resource": "*"},
    ]
