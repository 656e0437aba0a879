"""`smartdoor replay`: send recorded face events to a running server (demos, tests, no camera needed).

A file may hold one record, a list of records, or a whole Lambda Kinesis event (``{"Records": [...]}``
with base64 data, as Rekognition's stream delivers them); a record that cannot be read is reported and
skipped, like the stream handler skips a poison record.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from smartdoor.adapters.system import SystemClock
from smartdoor.domain import untrusted_json
from smartdoor.domain.errors import BadJson
from smartdoor.ports import Clock


def records_in(path: Path) -> Iterator[tuple[str, Any]]:
    """(label, record) pairs; a record that cannot be read comes as (label, ValueError)."""
    # The door's own bounded decoder: a file may come from anywhere, and a plain json.loads of a deep one
    # ends in a RecursionError (a traceback, not a reason).
    try:
        data = untrusted_json.loads(path.read_bytes())
    except (OSError, BadJson) as exc:
        yield str(path), ValueError(f"not a JSON file: {exc}")
        return
    if isinstance(data, dict) and isinstance(data.get("Records"), list):
        for n, entry in enumerate(data["Records"]):
            label = f"{path}#Records[{n}]"
            try:
                yield label, untrusted_json.loads(base64.b64decode(entry["kinesis"]["data"], validate=True))
            except (KeyError, TypeError, ValueError, binascii.Error, BadJson) as exc:
                yield label, ValueError(f"not a face-search record: {exc}")
    elif isinstance(data, list):
        for n, record in enumerate(data):
            yield f"{path}[{n}]", record
    else:
        yield str(path), data


def replay(
    server: str,
    token: str,
    camera: str,
    paths: list[Path],
    frame: bytes | None,
    out: TextIO = sys.stdout,
    clock: Clock | None = None,
    new_id: Callable[[], str] | None = None,
) -> int:
    """POST each record to /face-events; 0 when every one was accepted, 1 otherwise.

    With a ``frame``, the face is found in it (refused when there is none) and each record is sent as
    seen in that frame now: the frame's face box and descriptor, the replay's time and its own identity.
    """
    encoded = base64.b64encode(frame).decode() if frame else None
    stamp: Callable[[Any], Any] | None = None  # without a frame, records go as they are
    if frame:
        from smartdoor.server.replay_frame import FrameRefused, face_in_frame, with_frame_face

        try:
            face = face_in_frame(frame)
        except FrameRefused as exc:
            out.write(f"the frame is refused: {exc}\n")
            return 1
        if face.faces > 1:
            out.write(f"{face.faces} faces in the frame: using the largest\n")
        ids = new_id or (lambda: f"replay-{uuid.uuid4()}")
        stamp = partial(with_frame_face, face=face, clock=clock or SystemClock(), new_id=ids)
    failures = 0
    for path in paths:
        for label, record in records_in(path):
            if isinstance(record, ValueError):
                failures += 1
                out.write(f"{label}: skipped, {record}\n")
                continue
            try:
                record = stamp(record) if stamp is not None else record
            except ValueError as exc:
                failures += 1
                out.write(f"{label}: skipped, {exc}\n")
                continue
            body = json.dumps({"record": record, "frame": encoded} if encoded else record).encode()
            request = urllib.request.Request(  # noqa: S310 - the URL is the user's own server
                f"{server.rstrip('/')}/face-events?camera={camera}",
                data=body,
                headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    out.write(f"{label}: {response.read().decode()}\n")
            except urllib.error.HTTPError as exc:
                failures += 1
                out.write(f"{label}: HTTP {exc.code}: {exc.read().decode(errors='replace')}\n")
            except urllib.error.URLError as exc:
                out.write(f"cannot reach {server}: {exc.reason}. Is `smartdoor serve` running?\n")
                return 2
    return 1 if failures else 0
