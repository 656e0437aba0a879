"""The Lambda behind every field of schema.graphql: one powertools Router per schema area."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import AppSyncResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from resolvers import console, door, errors, publishing, registration

app = AppSyncResolver()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated
for area in (door.router, console.router, registration.router, publishing.router):
    app.include_router(area)
errors.register(app)


def handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return app.resolve(event, context)
