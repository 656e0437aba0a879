"""A function's IAM statements as (action, resource) pairs with readable resource names, for exact asserts."""

from __future__ import annotations

from typing import Any

from tests.cdk.conftest import Synthesised

# Logical-id prefixes (construct paths) -> the names the tests use.
ALIASES = {
    "StoragePasscodes": "table/passcodes",
    "StorageVisitors": "table/visitors",
    "StorageSightings": "table/sightings",
    "StorageFaces": "table/faces",
    "StorageLimits": "table/limits",
    "StorageTimeline": "table/timeline",
    "StorageOutbox": "table/outbox",
    "StoragePhotos": "bucket",
    "StorageHmacKey": "secret",
    "AnalysisFaces": "collection",
    "AnalysisKVS1": "kvs1",
    "AnalysisKDS1": "kds1",
    "AnalysisStreamHandlerFailures": "dlq",
    "AnalysisFrameHandlerFailures": "dlq",
    "OutboxSenderFailures": "outbox-dlq",
    "ApiResolvers": "resolvers-function",
    "ApiCD79AAA0": "api",
}
PSEUDO = {"AWS::Partition": "aws", "AWS::AccountId": "ACCOUNT", "AWS::Region": "REGION"}


def _alias(logical_id: str) -> str:
    for prefix, name in ALIASES.items():
        if logical_id.startswith(prefix):
            return name
    raise AssertionError(f"no alias for {logical_id}")


def render(value: Any) -> str:
    if isinstance(value, str):
        return value
    if "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        return _alias(logical_id) + ("" if attribute == "Arn" else f".{attribute}")
    if "Ref" in value:
        return PSEUDO.get(value["Ref"]) or _alias(value["Ref"])
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(render(p) for p in parts)
    raise AssertionError(f"cannot render {value}")


def statements(synth: Synthesised, role_prefix: str) -> set[tuple[str, str]]:
    """Every (action, resource) the policies on the role ``role_prefix...`` allow (no Deny is expected)."""
    role = synth.logical_id("AWS::IAM::Role", role_prefix)
    pairs: set[tuple[str, str]] = set()
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"]
            resources = resources if isinstance(resources, list) else [resources]
            pairs |= {(a, render(r)) for a in actions for r in resources}
    return pairs
