"""Email and SMS: the SES identities, and the grants to send through SES and SNS.

What CloudFormation cannot express, and the README's deployment guide walks through by hand: leaving the SES
sandbox (a support request; until then every recipient must be a verified identity), the SNS SMS sandbox
(verified destination numbers until AWS moves the account out) and raising the account's SMS spend quota (a
support request). The account's SMS type and spend limit are set at deploy time by sms_settings.py.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from constructs import Construct


class Messaging(Construct):
    """The sender's SES identity (and the owner's, which the SES sandbox needs to deliver to it)."""

    def __init__(self, scope: Construct, id: str, *, sender: str, owner_email: str) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        self.sender = ses.EmailIdentity(self, "Sender", identity=ses.Identity.email(sender))
        self.identity_arns = [stack.format_arn(service="ses", resource="identity", resource_name=sender)]
        if owner_email.lower() != sender.lower():
            ses.EmailIdentity(self, "Owner", identity=ses.Identity.email(owner_email))
            # In the sandbox SES authorises a send on the recipient's identity too, and the owner is the
            # one recipient of the door's email.
            self.identity_arns.append(
                stack.format_arn(service="ses", resource="identity", resource_name=owner_email)
            )

    def grant_send(self, grantee: iam.IGrantable) -> None:
        """ses:SendEmail on the sender's (and the owner's) identity only; sns:Publish for SMS. SES v2's
        SendEmail is authorised as ses:SendEmail whatever its content, raw MIME included."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["ses:SendEmail"], resources=self.identity_arns)
        )
        # SMS goes to a phone number, which has no ARN: IAM can scope sns:Publish to topics only, so "*".
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["sns:Publish"], resources=["*"])
        )
