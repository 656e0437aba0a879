"""The pages on AWS: frontend/ in a private bucket behind CloudFront, with the config.json that points the
pages' GraphQL client at AppSync and the console's sign-in at the Cognito user pool."""

from __future__ import annotations

from typing import cast

from aws_cdk import Acknowledgment, CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from smartdoor.edges.page_paths import cloudfront_function_code
from smartdoor_cdk.page_settings import FRONTEND, NOT_DEPLOYED, pages_config, pages_csp


class Pages(Construct):
    """frontend/ served by CloudFront from a private bucket that only this distribution may read."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        graphql_url: str,
        realtime_url: str,
        api_key: str,
        region: str,
        user_pool_id: str,
        user_pool_client_id: str,
        cognito_override: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Files",
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            # The pages are rebuilt from the repository at every deploy: nothing here is worth keeping.
            removal_policy=RemovalPolicy.DESTROY,
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "Headers",
            comment="Smart Door pages: CSP, HSTS, no framing, no sniffing, no referrer",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=pages_csp(
                        graphql_url=graphql_url,
                        realtime_url=realtime_url,
                        region=region,
                        user_pool_id=user_pool_id,
                        cognito_override=cognito_override,
                    ),
                    override=True,
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                # Approve/deny links carry a signed token in their query: no other site may see it.
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
            ),
        )
        paths = cloudfront.Function(
            self,
            "PagePaths",
            code=cloudfront.FunctionCode.from_inline(cloudfront_function_code()),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="The pages' paths as the local server serves them (smartdoor/edges/page_paths.py)",
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Smart Door pages",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=paths, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        )
        Validations.of(self.distribution).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-CFR3",
                reason="No access logs: approve/deny links carry their signed token in the query string, and "
                "CloudFront's logs record every query string.",
            ),
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-CFR4",
                reason="The default *.cloudfront.net certificate cannot be held to TLS 1.2; a custom domain "
                "with its own certificate (and TLSv1.2_2021) is the stack's choice.",
            ),
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-CFR1", reason="The owner travels: no geo restriction."
            ),
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-CFR2",
                reason="Static files only; the API's own limits (AppSync, the door's lock-out) guard data.",
            ),
        )
        Validations.of(self.bucket).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-S1",
                reason="Only CloudFront reads this bucket (OAC) and only the deployment writes it; page "
                "requests would be logged with their link tokens.",
            )
        )
        config = pages_config(
            graphql_url=graphql_url,
            realtime_url=realtime_url,
            api_key=api_key,
            region=region,
            user_pool_id=user_pool_id,
            user_pool_client_id=user_pool_client_id,
            cognito_override=cognito_override,
        )
        deployment = s3deploy.BucketDeployment(
            self,
            "Deploy",
            sources=[
                s3deploy.Source.asset(str(FRONTEND), exclude=NOT_DEPLOYED),
                s3deploy.Source.json_data("config.json", config),
            ],
            destination_bucket=self.bucket,
            # The files change only by deploy, and each deploy invalidates every path.
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=256,
        )
        # The deployment's handler is CDK's own (one per stack, prebuilt, no Docker): its managed policy,
        # its grants on the asset and pages buckets and its runtime are CDK's to choose.
        handler = deployment.handler_role.node.scope
        assert handler is not None
        stack = Stack.of(self)
        bucket_id = stack.resolve(cast(s3.CfnBucket, self.bucket.node.default_child).logical_id)
        # cdk-nag names the assets bucket with the stack's account and region when the stack has them.
        account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
        region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
        grants = (
            "Action::s3:GetObject*",
            "Action::s3:GetBucket*",
            "Action::s3:List*",
            "Action::s3:DeleteObject*",
            "Action::s3:Abort*",
            f"Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-{account}-{region}/*",
            f"Resource::<{bucket_id}.Arn>/*",
            "Resource::*",  # cloudfront:CreateInvalidation, which takes no resource narrower than *
        )
        Validations.of(handler).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                reason="CDK's BucketDeployment handler writes its logs with the basic execution role.",
            ),
            *(
                Acknowledgment(
                    id=f"AwsSolutions::AwsSolutions-IAM5[{grant}]",
                    reason="CDK's BucketDeployment handler: read the assets bucket, sync the pages bucket, "
                    "invalidate the distribution.",
                )
                for grant in grants
            ),
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-L1", reason="The handler's runtime is aws-cdk-lib's choice."
            ),
        )
        self.url = f"https://{self.distribution.distribution_domain_name}"
        self.url_output = CfnOutput(
            self, "PagesUrl", value=self.url, description="The Smart Door pages (console at /)"
        )
