"""POST /frames with a door device's upload grant (a multipart form, as S3 takes a presigned POST): the frame
is checked, its key spent once, and analysed as `smartdoor replay --frame` does: dlib finds the face, and
the face-event use case handles it with the key's camera and time.

Every refusal is a plain reason with 400, 403 or 413, never a 500: the form comes from a device on the
network. The body is read only up to the grant's size (plus a form's overhead), whatever it declares.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from functools import cache
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from smartdoor.adapters.local.upload_grants import UploadRefused, verify_upload
from smartdoor.bootstrap import LocalDoor
from smartdoor.domain.errors import BadFaceEvent, StorageUnavailable
from smartdoor.domain.frame_keys import parse_frame_key
from smartdoor.domain.model import BoundingBox, DetectedFace, FaceEvent
from smartdoor.services.sightings import record_face_event

if TYPE_CHECKING:
    from smartdoor.vision.analyser import FaceAnalyser

log = logging.getLogger(__name__)

FORM_OVERHEAD = 16 * 1024  # the grant's fields and the parts' headers, far below this
_JPEG_START = b"\xff\xd8\xff"
_FIELDS = 8  # the grant has four (S3's about eight): a form with more is no grant's


class _TooLarge(Exception):
    pass


def _refused(status: int, reason: str) -> Response:
    return PlainTextResponse(reason, status_code=status)


def is_upload_form(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


async def _capped(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit:
            raise _TooLarge
        yield chunk


@cache
def _analyser() -> FaceAnalyser:
    from smartdoor.vision.analyser import FaceAnalyser

    return FaceAnalyser()  # loads dlib's models once per process


def _analyse(app: LocalDoor, key: str, jpeg: bytes) -> int:
    """The frame's face through the face-event use case; the number of sightings it made."""
    from smartdoor.server.replay_frame import face_in_frame

    found = parse_frame_key(key)  # BadFaceEvent: not a frame's key (the grant signed it, so never)
    face = face_in_frame(jpeg, _analyser())
    box = BoundingBox(face.box["Left"], face.box["Top"], face.box["Width"], face.box["Height"])
    # Searched in the door's index first, as a camera's frame is (vision/pipeline.py): unsearched, every
    # upload was a stranger, so a registered visitor was never let in and a pending one came back as new
    # after the new-face window. An unsure face goes on as a stranger (no match): the device sends a track
    # once, so no later frame would settle it, and the owner asked beats a visitor nobody hears of.
    searched = app.faces.search(face.descriptor)
    event = FaceEvent(
        camera_id=found.camera_id,
        frame_time=found.taken_at,
        faces=(
            DetectedFace(
                box,
                confidence=99.0,
                matches=(searched.match,) if searched.match is not None else (),
                descriptor=tuple(face.descriptor),
            ),
        ),
        event_id=key,  # one frame per key: its face is handled once, whatever retries the device makes
    )
    return len(record_face_event(app.door, event, jpeg))


async def frame_upload(request: Request) -> Response:
    app: LocalDoor = request.app.state.door
    limit = app.door.policy.frame_max_bytes + FORM_OVERHEAD
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return _refused(413, f"The frame is larger than {app.door.policy.frame_max_bytes} bytes.")
    parser = MultiPartParser(request.headers, _capped(request, limit), max_files=1, max_fields=_FIELDS)
    try:
        form = await parser.parse()
    except _TooLarge:
        return _refused(413, f"The frame is larger than {app.door.policy.frame_max_bytes} bytes.")
    except MultiPartException as exc:
        return _refused(400, f"Not an upload form: {exc}")
    try:
        fields = {name: value for name, value in form.multi_items() if isinstance(value, str)}
        try:
            grant = verify_upload(fields, app.door.secret_key, app.door.clock.now())
        except UploadRefused as exc:
            return _refused(403, f"Refused: {exc}.")
        file = form.get("file")
        if not isinstance(file, UploadFile):
            return _refused(400, "The form has no `file` part: send the JPEG as `file`, after the fields.")
        jpeg = await file.read(grant.max_bytes + 1)
    finally:
        await form.close()
    if len(jpeg) > grant.max_bytes:
        return _refused(413, f"The frame is larger than {grant.max_bytes} bytes.")
    if not jpeg.startswith(_JPEG_START):
        return _refused(400, "The file is not a JPEG.")
    try:
        from smartdoor.server.replay_frame import FrameRefused  # noqa: F401 - is the vision extra here?
    except ImportError:
        return _refused(503, "Face analysis is not installed here: install the vision extra.")
    now = app.door.clock.now()
    # Spent before the analysis, so two posts of one grant cannot both be analysed (one conditional insert).
    if not await run_in_threadpool(app.door.claims.claim, f"frame-upload:{grant.key}", grant.expires_at, now):
        return _refused(403, "Refused: this upload grant was used already.")
    return await _analysed(app, grant.key, jpeg)


async def _analysed(app: LocalDoor, key: str, jpeg: bytes) -> Response:
    from smartdoor.server.replay_frame import FrameRefused

    try:
        await run_in_threadpool(_analyse, app, key, jpeg)
    except (FrameRefused, BadFaceEvent) as exc:
        return _refused(400, f"The frame is refused: {exc}.")
    except StorageUnavailable:
        log.exception("could not record the uploaded frame %s", key)
        app.door.claims.release(f"frame-upload:{key}")  # the device may post the same grant again
        return _refused(503, "The door is busy: post the frame again shortly.")
    return Response(status_code=204)
