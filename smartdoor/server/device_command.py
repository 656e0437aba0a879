"""The `smartdoor device` command: options and environment in, a Device run, an exit status out."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from types import FrameType
from typing import TextIO

from smartdoor.adapters.system import SystemClock
from smartdoor.edges.face_records import CAMERA_ID_RULE, is_camera_id
from smartdoor.server.startup import EXIT_CAMERA, EXIT_USAGE

TOKEN_ENV = "SMARTDOOR_DEVICE_TOKEN"  # noqa: S105 - the variable's name, not a token
API_KEY_ENV = "SMARTDOOR_API_KEY"
EXIT_MISSING_EXTRA = 1  # the venv lacks a package of the `device` extra

DEVICE_HELP = f"""what it sends: only frames in which a new face track begins (one per track), each as a JPEG
through a one-frame upload grant from the API. It never sends frames without a face, frames of a face it
already sent, the device token in a URL, or anything of the owner's.

exit statuses:
  0  the source ended, or stopped by Ctrl-C or SIGTERM
  {EXIT_MISSING_EXTRA}  the `device` extra is not installed (bash scripts/setup device)
  2  a bad option, or the API refused the device token (or the API key)
  {EXIT_CAMERA}  the source cannot be opened (a webcam or stream that drops later is reopened)

The token and the API key may come from {TOKEN_ENV} and {API_KEY_ENV} instead, which keeps them out of the
shell history and the process list."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    device = commands.add_parser(
        "device",
        help="run a webcam as a door's device: upload frames where a new face appears",
        description="Run a webcam (or a video file, or a stream) as the door device of one camera.",
        epilog=DEVICE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    device.add_argument("--api", required=True, help="the GraphQL endpoint: AppSync's, or the local /graphql")
    device.add_argument("--camera-id", required=True, help="the camera this device's token is for")
    device.add_argument("--device-token", help=f"the camera's device token (better: {TOKEN_ENV})")
    device.add_argument("--api-key", help=f"AppSync's API key (better: {API_KEY_ENV}); none locally")
    device.add_argument(
        "--source",
        default="0",
        help="webcam index (default 0), video file, image folder, or rtsp:// or http:// URL",
    )


@contextlib.contextmanager
def stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and Ctrl-C set ``stop``, so the frame in hand and the upload under way finish cleanly."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach only the main thread: a caller elsewhere stops the device itself
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, handle) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def quiet_http_logs() -> None:
    """httpx logs every request at INFO: for a device that is a line per grant and per upload beside its own
    status lines, and an upload's URL may carry that grant's signature. Warnings and errors still show."""
    logging.getLogger("httpx").setLevel(logging.WARNING)


def run(args: argparse.Namespace, environ: Mapping[str, str], out: TextIO | None = None) -> int:
    token = args.device_token or environ.get(TOKEN_ENV, "")
    api_key = args.api_key or environ.get(API_KEY_ENV) or None
    if not token:
        print(f"smartdoor device: no device token: set {TOKEN_ENV} (or pass --device-token)", file=sys.stderr)
        return EXIT_USAGE
    if not is_camera_id(args.camera_id):
        print(f"smartdoor device: --camera-id must be {CAMERA_ID_RULE}", file=sys.stderr)
        return EXIT_USAGE
    if not args.api.startswith(("http://", "https://")):
        print("smartdoor device: --api must be an http:// or https:// URL", file=sys.stderr)
        return EXIT_USAGE
    # The vision stack (OpenCV, dlib) loads only once the options are known to be good.
    try:
        from smartdoor.server.device import Device
        from smartdoor.server.device_source import device_frames
        from smartdoor.server.frame_uploads import FrameUploadApi
        from smartdoor.vision.device_gate import FrameGate
        from smartdoor.vision.sources import CameraSpec, SourceError, open_source
    except ModuleNotFoundError as exc:
        # A venv made for the server alone (no httpx, say): the person needs the install, not a traceback.
        print(
            f"smartdoor device: {exc.name} is not installed: the device needs the `device` extra"
            " (bash scripts/setup device)",
            file=sys.stderr,
        )
        return EXIT_MISSING_EXTRA

    spec = CameraSpec(args.camera_id, args.source)
    if (missing := spec.missing()) is not None:
        print(f"smartdoor device: {missing}", file=sys.stderr)
        return EXIT_CAMERA
    try:
        source = open_source(spec)
    except SourceError as exc:
        print(f"smartdoor device: cannot open {args.source}: {exc}", file=sys.stderr)
        return EXIT_CAMERA
    api = FrameUploadApi(args.api, args.camera_id, token, api_key)
    device = Device(api, FrameGate(), SystemClock().now, out=out)
    print(
        f"device for camera {args.camera_id}: watching {args.source}, sending to {args.api}",
        file=out,
        flush=True,
    )
    try:
        # closing(): a run that stops early still closes the camera now, not when the generator is collected.
        with (
            stopped_by_signals(device.stop),
            contextlib.closing(device_frames(spec, source, device.stop, out=out)) as frames,
        ):
            return device.run(frames)
    except SourceError as exc:
        print(f"smartdoor device: the source stopped: {exc}", file=sys.stderr)
        return EXIT_CAMERA
    finally:
        api.close()
