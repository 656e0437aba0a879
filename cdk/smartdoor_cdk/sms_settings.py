"""SNS's account-wide SMS attributes, set at deploy time: CloudFormation has no resource for them.

CDK's AwsCustomResource calls SNS SetSMSAttributes from its prebuilt Node.js handler (no bundling, no
Docker). On create and on update it sets DefaultSMSType=Transactional (passcodes are transactional: SNS
routes them for delivery, not for cost) and MonthlySpendLimit. On delete it calls nothing: the attributes
belong to the account, not to the stack, the values before the deploy were never recorded, and another
application in the account may depend on them.

AWS caps MonthlySpendLimit at the account's SMS spend quota (USD 1 a month for a new account): a larger value
makes SetSMSAttributes fail, and with it the deploy, until a support case raises the quota.
"""

from __future__ import annotations

from aws_cdk import custom_resources as cr
from constructs import Construct

SMS_TYPE = "Transactional"
# The one physical id: an update sets the attributes again in place, it never replaces the resource.
PHYSICAL_ID = "sns-sms-attributes"


def set_sms_attributes_call(spend_limit_usd: int) -> cr.AwsSdkCall:
    return cr.AwsSdkCall(
        service="SNS",
        action="setSMSAttributes",
        parameters={"attributes": {"DefaultSMSType": SMS_TYPE, "MonthlySpendLimit": str(spend_limit_usd)}},
        physical_resource_id=cr.PhysicalResourceId.of(PHYSICAL_ID),
    )


class SmsSettings(Construct):
    """The account's SMS type and monthly spend limit (whole USD)."""

    def __init__(self, scope: Construct, id: str, *, spend_limit_usd: int) -> None:
        super().__init__(scope, id)
        call = set_sms_attributes_call(spend_limit_usd)
        self.resource = cr.AwsCustomResource(
            self,
            "Attributes",
            on_create=call,
            on_update=call,
            # SetSMSAttributes takes no resource ARN: "*" is the only resource IAM accepts for it.
            policy=cr.AwsCustomResourcePolicy.from_sdk_calls(
                resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE
            ),
            # The SDK in the Lambda runtime: installing the latest at deploy time would reach npm.
            install_latest_aws_sdk=False,
        )
