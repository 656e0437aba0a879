"""The Query and Mutation fields of schema.graphql with their auth modes: what every wiring test walks."""

from __future__ import annotations

from pathlib import Path

from graphql import ObjectTypeDefinitionNode, parse

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"
MODES = {"aws_cognito_user_pools": "cognito", "aws_api_key": "api_key", "aws_iam": "iam"}


def operation_fields() -> dict[tuple[str, str], set[str]]:
    """(parent type, field) → the auth modes its directives allow, for every Query and Mutation field.

    Read from the document itself, so the walk needs no declarations of AppSync's scalars and directives."""
    fields: dict[tuple[str, str], set[str]] = {}
    for node in parse(SCHEMA_FILE.read_text()).definitions:
        if isinstance(node, ObjectTypeDefinitionNode) and node.name.value in ("Query", "Mutation"):
            for field in node.fields or ():
                modes = {MODES[d.name.value] for d in field.directives or () if d.name.value in MODES}
                fields[(node.name.value, field.name.value)] = modes
    return fields
