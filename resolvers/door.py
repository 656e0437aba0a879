"""The virtual door: validateOtp, counted per the caller's address and door device (see identity.py)."""

from __future__ import annotations

from resolvers.calls import door, new_router, the_client
from smartdoor.api_shapes import Shape
from smartdoor.services import access

router = new_router()


@router.resolver(type_name="Mutation", field_name="validateOtp")
def validate_otp(otp: str) -> Shape:
    result = access.validate_otp(door(), otp, the_client(router))
    return {"granted": result.granted, "message": result.message, "visitorName": result.visitor_name}
