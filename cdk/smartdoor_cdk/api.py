"""The GraphQL API: AppSync from schema.graphql, its Cognito user pool, the resolvers Lambda, WAF in front."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import cast

import graphql
from aws_cdk import Duration, Expiration, RemovalPolicy, Stack
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from smartdoor_cdk import mapping_templates
from smartdoor_cdk.environment import door_environment
from smartdoor_cdk.functions import door_function

SCHEMA = Path(__file__).resolve().parents[2] / "schema.graphql"
# Called by the door's own functions (IAM) to fire the console's subscription; AppSync only relays it.
PUBLISH_FIELD = ("Mutation", "publishSighting")
# A NONE data source hands back what its request template puts in the payload: the sighting as published.
PUBLISH_REQUEST = '{"version":"2018-05-29","payload":$util.toJson($ctx.arguments.input)}'
PUBLISH_RESPONSE = "$util.toJson($ctx.result)"


def resolved_fields(schema_text: str) -> list[tuple[str, str]]:
    """(type, field) of every Query and Mutation field in the schema, in schema order."""
    document = graphql.parse(schema_text)
    found: list[tuple[str, str]] = []
    for definition in document.definitions:
        if isinstance(definition, graphql.ObjectTypeDefinitionNode) and definition.name.value in (
            "Query",
            "Mutation",
        ):
            found += [(definition.name.value, f.name.value) for f in definition.fields or ()]
    return found


class Api(Construct):
    """Exposes ``graphql_url``, ``realtime_url``, ``api_key``, ``user_pool_id`` and ``user_pool_client_id``
    (what the pages' config.json needs)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        owner_group: str,
        waf_rate_limit: int,
        environment: Mapping[str, str],
    ) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        self.user_pool = cognito.UserPool(
            self,
            "Owners",
            self_sign_up_enabled=False,  # the owner's account is made by hand (README), nobody signs up
            sign_in_aliases=cognito.SignInAliases(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=14,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            removal_policy=RemovalPolicy.RETAIN,
        )
        cognito.CfnUserPoolGroup(
            self,
            "OwnerGroup",
            user_pool_id=self.user_pool.user_pool_id,
            group_name=owner_group,
            description="Members are the door's owner: the console's fields need this group",
        )
        self.client = self.user_pool.add_client(
            "Console",
            generate_secret=False,  # a browser page holds no secret
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            prevent_user_existence_errors=True,
        )
        self.api = appsync.GraphqlApi(
            self,
            "Api",
            name=f"{stack.stack_name}-api",
            definition=appsync.Definition.from_file(str(SCHEMA)),
            authorization_config=appsync.AuthorizationConfig(
                default_authorization=appsync.AuthorizationMode(
                    authorization_type=appsync.AuthorizationType.USER_POOL,
                    user_pool_config=appsync.UserPoolConfig(user_pool=self.user_pool),
                ),
                additional_authorization_modes=[
                    # The door and the email-link pages: anonymous callers, checked by the resolvers.
                    appsync.AuthorizationMode(
                        authorization_type=appsync.AuthorizationType.API_KEY,
                        api_key_config=appsync.ApiKeyConfig(
                            description="door and link pages", expires=Expiration.after(Duration.days(365))
                        ),
                    ),
                    appsync.AuthorizationMode(authorization_type=appsync.AuthorizationType.IAM),
                ],
            ),
            # Errors only, and never the request or response bodies: a passcode is an argument.
            log_config=appsync.LogConfig(
                field_log_level=appsync.FieldLogLevel.ERROR, exclude_verbose_content=True
            ),
            xray_enabled=True,
        )
        self.resolvers = door_function(
            self,
            "Resolvers",
            package="resolvers",
            handler="resolvers.app.handler",
            description="Smart Door's AppSync resolvers",
            timeout=Duration.seconds(15),
            environment={**environment, **door_environment(appsync_endpoint=self.api.graphql_url)},
        )
        self._wire(self.resolvers)
        self._waf(waf_rate_limit)

        self.graphql_url = self.api.graphql_url
        # AppSync's own name for its real-time (subscriptions) endpoint, rather than one spelled out here.
        self.realtime_url = cast(appsync.CfnGraphQLApi, self.api.node.default_child).attr_realtime_url
        self.api_key = self.api.api_key or ""
        self.user_pool_id = self.user_pool.user_pool_id
        self.user_pool_client_id = self.client.user_pool_client_id

    def _wire(self, function: lambda_.IFunction) -> None:
        lambda_source = self.api.add_lambda_data_source("ResolversSource", function)
        none_source = self.api.add_none_data_source("Relay")
        for type_name, field_name in resolved_fields(SCHEMA.read_text()):
            name = f"{type_name}{field_name[0].upper()}{field_name[1:]}"
            if (type_name, field_name) == PUBLISH_FIELD:
                none_source.create_resolver(
                    name,
                    type_name=type_name,
                    field_name=field_name,
                    request_mapping_template=appsync.MappingTemplate.from_string(PUBLISH_REQUEST),
                    response_mapping_template=appsync.MappingTemplate.from_string(PUBLISH_RESPONSE),
                )
                continue
            lambda_source.create_resolver(
                name,
                type_name=type_name,
                field_name=field_name,
                request_mapping_template=appsync.MappingTemplate.from_string(mapping_templates.REQUEST),
                response_mapping_template=appsync.MappingTemplate.from_string(mapping_templates.RESPONSE),
            )

    def grant_publish(self, function: lambda_.IFunction) -> None:
        """appsync:GraphQL on the publishSighting field and nothing else."""
        self.api.grant_mutation(function, PUBLISH_FIELD[1])

    def _waf(self, rate_limit: int) -> None:
        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            )

        acl = wafv2.CfnWebACL(
            self,
            "Firewall",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility("smartdoor-api"),
            rules=[
                # The door's lock-out slows passcode guessing; this caps what any one address can send at all.
                wafv2.CfnWebACL.RuleProperty(
                    name="RatePerAddress",
                    priority=0,
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            limit=rate_limit, aggregate_key_type="IP"
                        )
                    ),
                    visibility_config=visibility("smartdoor-api-rate"),
                ),
            ],
        )
        self.web_acl = acl
        wafv2.CfnWebACLAssociation(
            self, "FirewallAssociation", resource_arn=self.api.arn, web_acl_arn=acl.attr_arn
        )
