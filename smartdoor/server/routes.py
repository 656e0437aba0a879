"""The local server's plain HTTP routes: pages, photos, the outbox, face events, health."""

from __future__ import annotations

import asyncio
import base64
import binascii
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from smartdoor.adapters.local.outbox import OutboxMessage
from smartdoor.bootstrap import LocalDoor
from smartdoor.domain import untrusted_json
from smartdoor.domain.errors import BadFaceEvent, BadJson, StorageUnavailable
from smartdoor.edges.face_records import decode_face_record
from smartdoor.edges.page_paths import PAGES
from smartdoor.server import device_cookie
from smartdoor.server.context import bearer_token, is_owner_token
from smartdoor.server.upload_form import frame_upload, is_upload_form
from smartdoor.services.sightings import record_face_event

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _owner(request: Request) -> bool:
    app: LocalDoor = request.app.state.door
    return is_owner_token(app, bearer_token(request.headers.get("authorization")))


# No page may be framed by another site (a framed console could be clicked into approving or forgetting),
# sniffed into another type, or load plugins.
PAGE_HEADERS = {
    "cache-control": "no-cache",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "content-security-policy": "frame-ancestors 'none'; object-src 'none'; base-uri 'none'",
}


async def page(request: Request) -> Response:
    # Pages hold no secrets; the owner's token stays in the browser and travels as a bearer header.
    response = FileResponse(FRONTEND / PAGES[request.url.path], headers=PAGE_HEADERS)
    if request.url.path == "/door":
        _give_device_cookie(request, response)
    return response


def _give_device_cookie(request: Request, response: Response) -> None:
    """A phone that opens the door page gets its own lock-out count (validateOtp reads the cookie)."""
    app: LocalDoor = request.app.state.door
    key = app.door.secret_key
    if device_cookie.device_id(request.cookies.get(device_cookie.COOKIE), key) is None:
        value = device_cookie.sign(app.door.ids.new_id(), key)
        secure = app.settings.base_url.startswith("https://")
        response.headers.append("set-cookie", device_cookie.set_cookie_header(value, secure))


async def static_file(request: Request) -> Response:
    relative = request.path_params["path"]
    target = (FRONTEND / "static" / relative).resolve()
    if not target.is_relative_to(FRONTEND / "static") or not target.is_file():
        return _error(404, "No such file.")
    return FileResponse(target, headers={"cache-control": "no-cache", "x-content-type-options": "nosniff"})


async def photo(request: Request) -> Response:
    app: LocalDoor = request.app.state.door
    q = request.query_params
    data = app.photos.open_signed(request.path_params["key"], q.get("exp", ""), q.get("sig", ""))
    if data is None:
        return _error(403, "This photo link is not valid or has expired.")
    return Response(data, media_type="image/jpeg", headers={"cache-control": "private, max-age=300"})


def _message_json(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "key": message.key,
        "kind": message.kind,
        "to": message.recipient,
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "createdAt": message.created_at.isoformat(),
        "status": message.status,
        "error": message.error,
        "images": list(message.image_cids),
    }


async def outbox_json(request: Request) -> Response:
    if not _owner(request):
        return _error(401, "The outbox is the owner's: send Authorization: Bearer <owner token>.")
    app: LocalDoor = request.app.state.door
    kind = request.query_params.get("kind")
    if kind not in (None, "email", "sms"):
        return _error(400, "kind must be email or sms.")
    messages = await run_in_threadpool(app.outbox.list, 200, kind)
    return JSONResponse({"messages": [_message_json(m) for m in messages]})


async def outbox_image(request: Request) -> Response:
    if not _owner(request):
        return _error(401, "The outbox is the owner's: send Authorization: Bearer <owner token>.")
    app: LocalDoor = request.app.state.door
    data = app.outbox.image(request.path_params["message_id"], request.path_params["cid"])
    if data is None:
        return _error(404, "No such image.")
    return Response(data, media_type="image/jpeg", headers={"cache-control": "private, no-store"})


def _parse_face_event_body(body: bytes) -> tuple[dict[str, Any], bytes | None]:
    try:
        payload = untrusted_json.loads_object(body)
    except BadJson as exc:
        raise BadFaceEvent(f"the body is refused: {exc}") from exc
    if "record" not in payload:
        return payload, None
    frame = payload.get("frame")
    try:
        jpeg = base64.b64decode(frame, validate=True) if isinstance(frame, str) else None
    except (binascii.Error, ValueError) as exc:
        raise BadFaceEvent("frame must be a base64 JPEG") from exc
    record = payload["record"]
    if not isinstance(record, dict):
        raise BadFaceEvent("record must be a JSON object")
    return record, jpeg


async def face_events(request: Request) -> Response:
    """One face-search record (Rekognition's Kinesis shape), optionally with its frame: replays, demos."""
    if not _owner(request):
        return _error(401, "Face events are the owner's: send Authorization: Bearer <owner token>.")
    app: LocalDoor = request.app.state.door
    camera = request.query_params.get("camera", "replay")
    try:
        # Off the event loop: checking and decoding a 12 MB body takes a good part of a second.
        record, frame = await run_in_threadpool(_parse_face_event_body, await request.body())
        event = decode_face_record(record, camera)
    except BadFaceEvent as exc:
        return _error(400, f"Bad face event: {exc}")
    created = await run_in_threadpool(record_face_event, app.door, event, frame)
    return JSONResponse({"sightings": [{"id": s.id, "status": s.status.value} for s in created]})


async def frames(request: Request) -> Response:
    """A JPEG frame from the browser camera page or a script, analysed like a camera's. Owner only: a
    stranger's frames could otherwise flood the owner with made-up visitors. A multipart form is a door
    device's upload with its grant instead (upload_form.py): the grant is its credential."""
    if is_upload_form(request):
        return await frame_upload(request)
    if not _owner(request):
        return _error(401, "Frames are the owner's: send Authorization: Bearer <owner token>.")
    vision = request.app.state.vision
    if vision is None:
        return _error(503, "Face analysis is not running: start with `smartdoor serve` (vision installed).")
    from smartdoor.vision.frames import BadFrame

    camera = request.query_params.get("camera", "browser")
    try:
        outcome = await run_in_threadpool(vision.inbox.submit, camera, await request.body())
    except BadFrame as exc:
        return _error(400, f"Bad frame: {exc}")
    if not outcome.analysed:
        # Still analysing this camera's previous frame: this one is dropped, as a live camera's would be.
        return JSONResponse(
            {"analysed": False, "sightings": []}, status_code=429, headers={"retry-after": "1"}
        )
    return JSONResponse({"analysed": True, "sightings": list(outcome.sightings)})


async def status(request: Request) -> Response:
    if not _owner(request):
        return _error(401, "Status is the owner's: send Authorization: Bearer <owner token>.")
    vision = request.app.state.vision
    return JSONResponse({"vision": vision.status() if vision else None})


async def client_config(request: Request) -> Response:
    """Tells the pages' GraphQL client which transport to use; the CDK deployment writes its own."""
    return JSONResponse({"mode": "local"}, headers={"cache-control": "no-cache"})


HEALTH_TIMEOUT = 2.0  # seconds; a database slower than this is as good as down for a health check


async def _database_check(app: LocalDoor) -> str:
    try:
        await asyncio.wait_for(run_in_threadpool(app.database.ping, HEALTH_TIMEOUT), HEALTH_TIMEOUT)
    except StorageUnavailable as exc:
        return str(exc)
    except TimeoutError:
        return f"the database did not answer within {HEALTH_TIMEOUT:g} s"
    return "ok"


async def health(request: Request) -> Response:
    """200 when the database answers and, with vision running, the analysis worker is alive; else 503
    naming what failed (a process supervisor or a load balancer reads the status alone)."""
    app: LocalDoor = request.app.state.door
    checks = {"database": await _database_check(app)}
    vision = request.app.state.vision
    if vision is not None:
        checks["analysis"] = vision.analysis.problem() or "ok"
    ok = all(result == "ok" for result in checks.values())
    return JSONResponse({"ok": ok, "checks": checks}, status_code=200 if ok else 503)


def routes() -> list[Route]:
    return [
        *(Route(path, page, methods=["GET"]) for path in PAGES),
        Route("/static/{path:path}", static_file, methods=["GET"]),
        Route("/photos/{key:path}", photo, methods=["GET"]),
        Route("/outbox.json", outbox_json, methods=["GET"]),
        Route("/outbox/{message_id:int}/images/{cid}", outbox_image, methods=["GET"]),
        Route("/face-events", face_events, methods=["POST"]),
        Route("/frames", frames, methods=["POST"]),
        Route("/status.json", status, methods=["GET"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/config.json", client_config, methods=["GET"]),
    ]
