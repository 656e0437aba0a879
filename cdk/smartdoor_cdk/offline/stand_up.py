"""The resources of a synthesised template, created on one moto server in dependency order.

What moto holds is created from the template's own properties (moto_resources); what it does not is
skipped and reported with the reason (the fakes and the local AppSync serve some, nothing emulates the
rest), but still given CloudFormation's Ref and attributes so whatever refers to it resolves. Lambda
functions are not deployed: each comes back with its handler and resolved environment, for a worker process
to run it as deployed, and each event source mapping with its settings, for the Kinesis poller.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from smartdoor_cdk.offline import physical_names
from smartdoor_cdk.offline.event_source_mapping import EventSourceMapping
from smartdoor_cdk.offline.intrinsics import Physical, Resolver, TemplateError
from smartdoor_cdk.offline.moto_resources import CREATORS, Clients, Target

SERVED_BY_FAKES = (
    "served by the adapters' fakes (moto has no Rekognition collections, no Kinesis Video media)"
)
SERVED_BY_LOCAL_APPSYNC = "served by the local AppSync"
NOT_EMULATED = "not emulated offline"
SERVED_BY_CALLER = "served outside moto, as the stand-up was told"
# A queue policy is CDK's enforce-SSL Deny: moto's plain-HTTP endpoint would refuse every call under it.
QUEUE_POLICY = "not applied offline (its enforce-SSL Deny would refuse moto's plain-HTTP calls)"
SCHEDULED_OFFLINE = "the cloud build invokes scheduled functions itself, on a compressed schedule"
# Nothing invokes a function asynchronously offline (no S3 notification, no EventBridge): no async retries.
NO_ASYNC_INVOKE = "not emulated offline (nothing invokes a function asynchronously here)"
# The AWS CLI layer of CDK's BucketDeployment: offline the pages are served from frontend/, not deployed.
PAGES_SERVED_LOCALLY = "not emulated offline (the cloud build serves the pages from frontend/)"

_SKIPPED_PREFIXES = {
    "AWS::Rekognition::": SERVED_BY_FAKES,
    "AWS::KinesisVideo::": SERVED_BY_FAKES,
    "AWS::AppSync::": SERVED_BY_LOCAL_APPSYNC,
    "AWS::CloudFront::": NOT_EMULATED,
    "AWS::WAFv2::": NOT_EMULATED,
    "AWS::CloudWatch::": NOT_EMULATED,
    "AWS::IAM::": NOT_EMULATED,
    "AWS::Logs::": NOT_EMULATED,
    "AWS::SNS::Subscription": NOT_EMULATED,
    "AWS::Cognito::UserPoolDomain": NOT_EMULATED,
    "AWS::Lambda::Permission": NOT_EMULATED,
    "AWS::CDK::Metadata": NOT_EMULATED,
    "AWS::SQS::QueuePolicy": QUEUE_POLICY,
    "AWS::Events::": SCHEDULED_OFFLINE,
    "AWS::Scheduler::": SCHEDULED_OFFLINE,
    "AWS::Lambda::EventInvokeConfig": NO_ASYNC_INVOKE,
    "AWS::Lambda::LayerVersion": PAGES_SERVED_LOCALLY,
    "Custom::": NOT_EMULATED,
}


@dataclass(frozen=True)
class Skipped:
    type: str
    reason: str


@dataclass(frozen=True)
class Function:
    """An AWS::Lambda::Function as deployed: what a worker needs to run it."""

    name: str
    arn: str
    handler: str
    runtime: str
    role_arn: str
    environment: dict[str, str]


@dataclass
class StoodUp:
    resources: dict[str, Physical] = field(default_factory=dict)  # logical id → Ref and attributes
    functions: dict[str, Function] = field(default_factory=dict)
    mappings: dict[str, EventSourceMapping] = field(default_factory=dict)
    skipped: dict[str, Skipped] = field(default_factory=dict)
    ignored: dict[str, tuple[str, ...]] = field(default_factory=dict)  # properties not applied offline
    outputs: dict[str, str] = field(default_factory=dict)  # the stack's Outputs (what config.json is made of)


def stand_up(
    template: Mapping[str, Any],
    client: Clients,
    *,
    stack_name: str = "SmartDoor",
    region: str = "us-east-1",
    account: str = "123456789012",
    parameters: Mapping[str, str] | None = None,
    served: Mapping[str, Physical] | None = None,
) -> StoodUp:
    """Create every resource of ``template`` that moto holds; ``client(service)`` gives a client of the
    moto server. ``served`` answers for resources served elsewhere (the local AppSync's URL and key), in
    place of CloudFormation-like placeholders."""
    resolver = Resolver(template, stack_name, region, account, dict(parameters or {}))
    result = StoodUp(resources=resolver.resources)
    declared: dict[str, Any] = template.get("Resources", {})
    for logical_id in _in_dependency_order(declared):
        resource = declared[logical_id]
        condition = resource.get("Condition")
        if condition is not None and not resolver.condition(condition):
            continue
        kind = resource["Type"]
        if served and logical_id in served:
            resolver.resources[logical_id] = served[logical_id]
            result.skipped[logical_id] = Skipped(kind, _skip_reason(kind) or SERVED_BY_CALLER)
            continue
        reason = _skip_reason(kind)
        if reason is not None:
            # Unresolved: a skipped resource's properties may name things that are not stood up either.
            raw = resource.get("Properties", {})
            named: dict[str, object] = {k: v for k, v in raw.items() if isinstance(v, str | int)}
            resolver.resources[logical_id] = physical_names.not_created(
                kind, logical_id, named, stack_name, region, account
            )
            result.skipped[logical_id] = Skipped(kind, reason)
            continue
        properties = resolver.resolve(resource.get("Properties", {}))
        generated = physical_names.generated_name(stack_name, logical_id, kind)
        if kind == "AWS::Lambda::Function":
            function = _function(properties, generated, region, account)
            result.functions[logical_id] = function
            resolver.resources[logical_id] = Physical(function.name, {"Arn": function.arn})
        elif kind == "AWS::Lambda::EventSourceMapping":
            result.mappings[logical_id] = EventSourceMapping.from_properties(properties)
            resolver.resources[logical_id] = Physical(physical_names.mapping_uuid(stack_name, logical_id))
        elif kind in CREATORS:
            created = CREATORS[kind](properties, Target(client, region, account, generated))
            resolver.resources[logical_id] = created.physical
            if created.skipped is not None:
                result.skipped[logical_id] = Skipped(kind, created.skipped)
            if created.ignored:
                result.ignored[logical_id] = created.ignored
        else:
            raise TemplateError(f"{logical_id}: {kind} has no offline stand-up and no reason to skip it")
    for name, output in template.get("Outputs", {}).items():
        condition = output.get("Condition")
        if condition is None or resolver.condition(condition):
            result.outputs[name] = resolver.text(output["Value"])
    return result


def _skip_reason(kind: str) -> str | None:
    for prefix, reason in _SKIPPED_PREFIXES.items():
        if kind.startswith(prefix):
            return reason
    return None


def _function(properties: dict[str, Any], generated: str, region: str, account: str) -> Function:
    name = str(properties.get("FunctionName", generated))
    variables = properties.get("Environment", {}).get("Variables", {})
    return Function(
        name=name,
        arn=f"arn:aws:lambda:{region}:{account}:function:{name}",
        handler=str(properties["Handler"]),
        runtime=str(properties.get("Runtime", "")),
        role_arn=str(properties.get("Role", "")),
        environment={str(k): str(v) for k, v in variables.items()},
    )


def _references(value: Any) -> Iterator[str]:
    """The logical ids a value refers to (Ref, Fn::GetAtt, the ${...} of Fn::Sub)."""
    if isinstance(value, list):
        for item in value:
            yield from _references(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                yield item
            elif key == "Fn::GetAtt":
                yield item.split(".", 1)[0] if isinstance(item, str) else item[0]
            elif key == "Fn::Sub":
                source = item if isinstance(item, str) else item[0]
                for name in Resolver.sub_names(source):
                    yield name.split(".", 1)[0]
                if not isinstance(item, str):
                    yield from _references(item[1])
            else:
                yield from _references(item)


def _in_dependency_order(resources: dict[str, Any]) -> list[str]:
    """Logical ids, each after what it refers to or DependsOn (template order otherwise)."""
    ordered: list[str] = []
    state: dict[str, str] = {}

    def visit(logical_id: str) -> None:
        if state.get(logical_id) == "done":
            return
        if state.get(logical_id) == "visiting":
            raise TemplateError(f"{logical_id} depends on itself")
        state[logical_id] = "visiting"
        resource = resources[logical_id]
        depends = resource.get("DependsOn", [])
        needs = [*([depends] if isinstance(depends, str) else depends), *_references(resource)]
        for needed in needs:
            if needed in resources:
                visit(needed)
        state[logical_id] = "done"
        ordered.append(logical_id)

    for logical_id in resources:
        visit(logical_id)
    return ordered
