"""The local GraphQL edge: parse → call a use case → serialise. Nothing here decides anything."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import suppress
from datetime import datetime

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info

from smartdoor.domain import model
from smartdoor.domain.errors import DomainError
from smartdoor.domain.visitor_details import dialled_as
from smartdoor.server import graphql_types as gql
from smartdoor.server.context import RequestContext
from smartdoor.server.errors import domain_errors, to_graphql_error
from smartdoor.services import access, console, decisions, frame_uploads
from smartdoor.services.authorization import Actor, acting_as, require_owner

Ctx = Info[RequestContext, None]
log = logging.getLogger(__name__)


def _when(value: datetime) -> gql.AWSDateTime:
    return gql.AWSDateTime(value)


def _photo(ctx: RequestContext, photo: model.Photo | None) -> gql.Photo | None:
    return gql.photo_out(photo, ctx.app.photos.url(photo) if photo else None)


def sighting_out(ctx: RequestContext, s: model.Sighting) -> gql.Sighting:
    return gql.Sighting(
        id=strawberry.ID(s.id),
        face_id=strawberry.ID(s.face_id),
        camera_id=s.camera_id,
        status=gql.SightingStatus(s.status.value),
        created_at=_when(s.created_at),
        photo=_photo(ctx, s.photo),
        visitor_id=strawberry.ID(s.visitor_id) if s.visitor_id else None,
        decided_at=_when(s.decided_at) if s.decided_at else None,
        face_photo=_photo(ctx, s.face_photo),
    )


def visitor_out(ctx: RequestContext, v: model.Visitor) -> gql.Visitor:
    return gql.Visitor(
        id=strawberry.ID(v.id),
        face_id=strawberry.ID(v.face_id),
        name=v.name,
        phone_number=gql.AWSPhone(v.phone_number),
        phone_number_international=dialled_as(v.phone_number),
        photos=[p for p in (_photo(ctx, photo) for photo in v.photos) if p is not None],
        created_at=_when(v.created_at),
    )


def event_out(e: model.DoorEvent) -> gql.DoorEvent:
    return gql.DoorEvent(
        id=strawberry.ID(e.id),
        kind=gql.DoorEventKind(e.kind.value),
        at=_when(e.at),
        sighting_id=strawberry.ID(e.sighting_id) if e.sighting_id else None,
        visitor_id=strawberry.ID(e.visitor_id) if e.visitor_id else None,
        camera_id=e.camera_id,
        visitor_name=e.visitor_name,
    )


def _link_or_owner(ctx: RequestContext, token: str | None) -> Actor:
    return acting_as(ctx.actor, token)


def _optional(value: str | object | None) -> str | None:
    return value if isinstance(value, str) else None


@strawberry.type
class Query:
    @strawberry.field
    @domain_errors
    def sightings(
        self,
        info: Ctx,
        status: gql.SightingStatus | None = strawberry.UNSET,
        limit: int | None = strawberry.UNSET,
        next_token: str | None = strawberry.UNSET,
    ) -> gql.SightingConnection:
        ctx = info.context
        wanted = model.SightingStatus(status.value) if isinstance(status, gql.SightingStatus) else None
        page = console.list_sightings(
            ctx.app.door, ctx.actor, wanted, limit if isinstance(limit, int) else None, _optional(next_token)
        )
        return gql.SightingConnection(
            items=[sighting_out(ctx, s) for s in page.items], next_token=page.next_token
        )

    @strawberry.field
    @domain_errors
    def sighting(
        self, info: Ctx, id: strawberry.ID, token: str | None = strawberry.UNSET
    ) -> gql.Sighting | None:
        ctx = info.context
        found = console.get_sighting(ctx.app.door, _link_or_owner(ctx, _optional(token)), str(id))
        return sighting_out(ctx, found) if found else None

    @strawberry.field
    @domain_errors
    def visitors(
        self, info: Ctx, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET
    ) -> gql.VisitorConnection:
        ctx = info.context
        page = console.list_visitors(
            ctx.app.door, ctx.actor, limit if isinstance(limit, int) else None, _optional(next_token)
        )
        return gql.VisitorConnection(
            items=[visitor_out(ctx, v) for v in page.items], next_token=page.next_token
        )

    @strawberry.field
    @domain_errors
    def visitor(self, info: Ctx, id: strawberry.ID) -> gql.Visitor | None:
        ctx = info.context
        found = console.get_visitor(ctx.app.door, ctx.actor, str(id))
        return visitor_out(ctx, found) if found else None

    @strawberry.field
    @domain_errors
    def door_events(
        self, info: Ctx, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET
    ) -> gql.DoorEventConnection:
        ctx = info.context
        page = console.list_events(
            ctx.app.door, ctx.actor, limit if isinstance(limit, int) else None, _optional(next_token)
        )
        items = [event_out(e) for e in page.items]
        return gql.DoorEventConnection(items=items, next_token=page.next_token)


@strawberry.type
class Mutation:
    @strawberry.mutation
    @domain_errors
    def approve_visitor(
        self,
        info: Ctx,
        sighting_id: strawberry.ID,
        decision: gql.AccessDecision,
        token: str | None = strawberry.UNSET,
    ) -> gql.Sighting:
        ctx = info.context
        decided = decisions.approve_visitor(
            ctx.app.door,
            _link_or_owner(ctx, _optional(token)),
            str(sighting_id),
            model.AccessDecision(decision.value),
        )
        return sighting_out(ctx, decided)

    @strawberry.mutation
    @domain_errors
    def register_visitor(self, info: Ctx, input: gql.RegisterVisitorInput) -> gql.Registration:
        ctx = info.context
        done = decisions.register_visitor(
            ctx.app.door,
            _link_or_owner(ctx, _optional(input.token)),
            str(input.sighting_id),
            input.name,
            input.phone_number,
        )
        return gql.Registration(visitor=visitor_out(ctx, done.visitor), passcode_sent=done.passcode_sent)

    @strawberry.mutation
    @domain_errors
    def validate_otp(self, info: Ctx, otp: str) -> gql.ValidateOtpResult:
        ctx = info.context
        result = access.validate_otp(ctx.app.door, otp, ctx.client)
        return gql.ValidateOtpResult(
            granted=result.granted, message=result.message, visitor_name=result.visitor_name
        )

    @strawberry.mutation
    @domain_errors
    def forget_visitor(self, info: Ctx, id: strawberry.ID) -> strawberry.ID:
        ctx = info.context
        return strawberry.ID(console.forget_visitor(ctx.app.door, ctx.actor, str(id)).id)

    @strawberry.mutation
    @domain_errors
    def request_frame_upload(
        self, info: Ctx, camera_id: str, device_token: str, taken_at: gql.AWSDateTime
    ) -> gql.FrameUpload:
        """Public like the door page: the device token is the credential, checked by the use case."""
        ctx = info.context
        upload = frame_uploads.request_frame_upload(ctx.app.door, camera_id, device_token, taken_at)
        return gql.FrameUpload(
            url=gql.AWSURL(upload.url),
            fields=gql.AWSJSON(json.dumps(upload.fields, sort_keys=True)),
            key=upload.key,
            expires_at=_when(upload.expires_at),
            max_bytes=upload.max_bytes,
        )

    @strawberry.mutation
    @domain_errors
    def issue_device_token(self, info: Ctx, camera_id: str) -> str:
        """Owner only (the bearer token); the token is shown once and nothing stores it."""
        ctx = info.context
        return frame_uploads.issue_device_token(ctx.app.door, ctx.actor, camera_id)

    @strawberry.mutation
    @domain_errors
    def publish_sighting(self, info: Ctx, input: gql.PublishSightingInput) -> gql.Sighting | None:
        """On AWS only IAM (the stream handler) may call this; locally only the owner (for tools)."""
        ctx = info.context
        require_owner(ctx.actor)
        sighting = _sighting_in(input)
        ctx.app.broker.publish(sighting)
        return sighting_out(ctx, sighting)


def _photo_in(data: object) -> model.Photo | None:
    if not isinstance(data, gql.PhotoInput):
        return None
    return model.Photo(data.object_key, data.bucket, data.created_timestamp)


def _sighting_in(data: gql.PublishSightingInput) -> model.Sighting:
    return model.Sighting(
        id=str(data.id),
        face_id=str(data.face_id),
        camera_id=data.camera_id,
        status=model.SightingStatus(data.status.value),
        created_at=data.created_at,
        photo=_photo_in(data.photo),
        visitor_id=_optional(data.visitor_id),
        decided_at=data.decided_at if isinstance(data.decided_at, datetime) else None,
        face_photo=_photo_in(data.face_photo),
    )


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def on_sighting(self, info: Ctx) -> AsyncGenerator[gql.Sighting | None, None]:
        ctx = info.context
        try:
            require_owner(ctx.actor)
        except DomainError as exc:
            raise to_graphql_error(exc) from exc
        async for sighting in ctx.app.broker.subscribe():
            yield sighting_out(ctx, sighting)


def _is_unexpected(error: GraphQLError, execution_context: ExecutionContext | None) -> bool:
    """A fault of ours: an exception that reached the executor without becoming a GraphQL error.

    Everything else is an answer to the client: a domain error (it carries a code), what the parser, the
    validation rules and the limiters refuse (even when a scalar's ValueError rides along on a literal),
    and variable coercion (no original error, or one that is itself a GraphQLError)."""
    if (error.extensions or {}).get("code"):
        return False
    refused_before_execution = execution_context is not None and any(
        error is e for e in execution_context.pre_execution_errors or ()
    )
    if refused_before_execution:
        return False
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


class DoorSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Only our faults are errors, with their tracebacks; a client's mistakes are its own (10,000 bad
        # documents once wrote 5,000 ERROR lines), kept at DEBUG for whoever debugs a client.
        unexpected: list[GraphQLError] = []
        for error in errors:
            if _is_unexpected(error, execution_context):
                unexpected.append(error)
            else:
                log.debug("refused: %s", error.message)
        super().process_errors(unexpected, execution_context)


class ParseOnceCache(ParserCache):
    """ParserCache that leaves a document it cannot parse to strawberry's own parse step.

    strawberry answers an error raised in its parse step, but not one raised by a parse hook on the
    websocket path: a subscription with a syntax error reached the worker task as a logged traceback and got
    no error message. A bad document is parsed twice this way (failures are never cached anyway)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        yield


def build_schema() -> strawberry.Schema:
    # The limiters' validation rules are built ONCE: QueryDepthLimiter and MaxAliasesLimiter make a new rule
    # class in each __init__, and ValidationCache keys on the rule classes, so a limiter made per request
    # would make every request miss the cache (strawberry issue #4635).
    limit_rules = [
        *QueryDepthLimiter(max_depth=8).validation_rules,
        *MaxAliasesLimiter(max_alias_count=15).validation_rules,
    ]
    # Factories: a fresh extension per request; the parse and validation caches are module-level LRUs.
    extensions: list[Callable[[], SchemaExtension]] = [
        # The door page sends the same few documents over and over: parse and validate each once.
        lambda: ParseOnceCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: AddValidationRules(limit_rules),
        lambda: MaxTokensLimiter(max_token_count=2000),
        # No MaskErrors: every resolver is wrapped by domain_errors, which already hides unexpected errors,
        # and the extension's per-request hooks cost ~5% of the door's throughput (bench/README.md).
    ]
    return DoorSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=gql.AWS_SCALARS),
        extensions=extensions,
    )
