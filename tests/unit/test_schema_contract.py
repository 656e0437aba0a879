"""schema.graphql (AppSync's dialect) and the local strawberry schema are the same API."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from graphql import (
    DirectiveLocation,
    GraphQLArgument,
    GraphQLDirective,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLString,
    Node,
    Visitor,
    build_ast_schema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    lexicographic_sort_schema,
    parse,
    print_schema,
    visit,
)

from smartdoor.server.graphql_api import build_schema as build_strawberry_schema

pytestmark = pytest.mark.unit

SCHEMA_FILE = Path(__file__).parents[2] / "schema.graphql"
AWS_SCALARS = ("AWSDateTime", "AWSPhone", "AWSURL", "AWSJSON")
_TYPE_AND_FIELD = [DirectiveLocation.OBJECT, DirectiveLocation.FIELD_DEFINITION]


def _aws_directives() -> list[GraphQLDirective]:
    """AppSync's directives, declared so graphql-core can read the file; then they are dropped."""
    plain = [
        GraphQLDirective(name, _TYPE_AND_FIELD)
        for name in ("aws_cognito_user_pools", "aws_api_key", "aws_iam", "aws_oidc", "aws_lambda")
    ]
    subscribe = GraphQLDirective(
        "aws_subscribe",
        [DirectiveLocation.FIELD_DEFINITION],
        {"mutations": GraphQLArgument(GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLString))))},
    )
    return [*plain, subscribe]


def appsync_schema() -> GraphQLSchema:
    sdl = SCHEMA_FILE.read_text() + "\n" + "\n".join(f"scalar {name}" for name in AWS_SCALARS)
    declared = build_schema(sdl, assume_valid_sdl=True)
    # print_schema leaves out applied directives, so this rebuild drops every aws_* use.
    return build_schema(print_schema(declared))


def shape(schema: GraphQLSchema) -> str:
    """The schema in a canonical text, descriptions left out (they are documentation, not contract)."""

    class DropDescriptions(Visitor):
        def enter(self, node: Node, *_: object) -> Node | None:
            if getattr(node, "description", None) is not None:
                return dataclasses.replace(node, description=None)  # type: ignore[call-arg]
            return None

    document = visit(parse(print_schema(schema)), DropDescriptions())
    return print_schema(lexicographic_sort_schema(build_ast_schema(document)))


def test_appsync_schema_uses_only_known_directives() -> None:
    sdl = SCHEMA_FILE.read_text() + "\n" + "\n".join(f"scalar {name}" for name in AWS_SCALARS)
    schema = GraphQLSchema(
        query=build_schema(sdl, assume_valid_sdl=True).query_type,
        directives=_aws_directives(),
    )
    assert schema.query_type is not None


def test_local_schema_is_the_appsync_schema() -> None:
    contract = appsync_schema()
    local = build_schema(str(build_strawberry_schema()))
    # Both directions: nothing the contract promises is missing or different locally, and vice versa.
    assert find_breaking_changes(contract, local) == []
    assert find_breaking_changes(local, contract) == []
    assert find_dangerous_changes(contract, local) == []
    assert find_dangerous_changes(local, contract) == []
    assert shape(contract) == shape(local)


def test_design_card_operations_exist() -> None:
    contract = appsync_schema()
    mutation = contract.mutation_type
    assert mutation is not None
    assert {"approveVisitor", "registerVisitor", "validateOtp", "publishSighting", "forgetVisitor"} <= set(
        mutation.fields
    )
    assert str(mutation.fields["approveVisitor"].args["decision"].type) == "AccessDecision!"
    assert contract.subscription_type is not None
    assert "onSighting" in contract.subscription_type.fields
    result = contract.get_type("ValidateOtpResult")
    assert result is not None
    assert {name: str(f.type) for name, f in result.fields.items()} == {  # type: ignore[attr-defined]
        "granted": "Boolean!",
        "message": "String!",
        "visitorName": "String",
    }


def test_subscription_is_fed_by_the_iam_publish_mutation() -> None:
    text = SCHEMA_FILE.read_text()
    assert 'onSighting: Sighting @aws_subscribe(mutations: ["publishSighting"])' in text
    publish_line = next(line for line in text.splitlines() if "publishSighting(" in line)
    assert publish_line.rstrip().endswith("@aws_iam")
