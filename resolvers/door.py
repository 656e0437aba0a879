"""The virtual door: validateOtp, counted per the caller's address and door device (see identity.py); and a
door device's one-frame upload grant (API key; the device token is verified by the use case)."""

from __future__ import annotations

import json

from resolvers.calls import door, new_router, the_client
from smartdoor.api_shapes import Shape, format_datetime, parse_datetime
from smartdoor.domain.errors import InvalidInput
from smartdoor.services import access, frame_uploads

router = new_router()


@router.resolver(type_name="Mutation", field_name="validateOtp")
def validate_otp(otp: str) -> Shape:
    result = access.validate_otp(door(), otp, the_client(router))
    return {"granted": result.granted, "message": result.message, "visitorName": result.visitor_name}


@router.resolver(type_name="Mutation", field_name="requestFrameUpload")
def request_frame_upload(cameraId: str, deviceToken: str, takenAt: object) -> Shape:
    try:
        taken_at = parse_datetime(takenAt)
    except ValueError as exc:
        raise InvalidInput("takenAt", f"takenAt: {exc}.") from exc
    upload = frame_uploads.request_frame_upload(door(), cameraId, deviceToken, taken_at)
    return {
        "url": upload.url,
        "fields": json.dumps(upload.fields, sort_keys=True),  # AWSJSON: the JSON text, as locally
        "key": upload.key,
        "expiresAt": format_datetime(upload.expires_at),
        "maxBytes": upload.max_bytes,
    }
