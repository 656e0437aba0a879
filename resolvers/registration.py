"""The owner's decision and the visitor's registration: from the console (Cognito, owner group) or from the
pages behind the email's signed link (API key; the link token is verified by the use case, as locally)."""

from __future__ import annotations

from resolvers.calls import door, new_router, optional_text, the_caller
from smartdoor.api_shapes import Shape, sighting_shape, visitor_shape
from smartdoor.domain.errors import InvalidInput
from smartdoor.domain.model import AccessDecision
from smartdoor.services import decisions
from smartdoor.services.authorization import acting_as

router = new_router()


def _decision(value: object) -> AccessDecision:
    try:
        return AccessDecision(str(value))
    except ValueError as exc:
        raise InvalidInput("decision", "decision must be APPROVE or DENY.") from exc


def _text(data: dict[str, object], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise InvalidInput(name, f"{name} is required.")
    return value


@router.resolver(type_name="Mutation", field_name="approveVisitor")
def approve_visitor(sightingId: str, decision: object, token: object = None) -> Shape:
    d = door()
    actor = acting_as(the_caller(router).actor, optional_text("token", token))
    return sighting_shape(d.photos, decisions.approve_visitor(d, actor, sightingId, _decision(decision)))


@router.resolver(type_name="Mutation", field_name="registerVisitor")
def register_visitor(input: dict[str, object]) -> Shape:
    d = door()
    actor = acting_as(the_caller(router).actor, optional_text("token", input.get("token")))
    done = decisions.register_visitor(
        d, actor, _text(input, "sightingId"), _text(input, "name"), _text(input, "phoneNumber")
    )
    return {"visitor": visitor_shape(d.photos, done.visitor), "passcodeSent": done.passcode_sent}
