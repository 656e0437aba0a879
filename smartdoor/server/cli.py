"""The `smartdoor` command: `serve` runs the door locally; `replay` feeds it recorded face events."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from smartdoor.config import Settings, load_settings

if TYPE_CHECKING:
    from smartdoor.bootstrap import LocalDoor
    from smartdoor.vision.service import Vision


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import socket

    import uvicorn

    from smartdoor.bootstrap import build_local
    from smartdoor.server.app import create_app

    overrides = {
        k: v
        for k, v in (("host", args.host), ("port", args.port), ("data_dir", args.data_dir))
        if v is not None
    }
    settings = replace(settings, **overrides)
    # Bind first, so port 0 can pick a free port and the banner and email links name the real one.
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    settings = replace(settings, port=sock.getsockname()[1])
    door = build_local(settings)
    vision = _vision(door, args.camera or [])
    base = settings.base_url
    print(
        f"\nSmart Door is running.\n"
        f"  Owner console:  {base}/?token={door.owner_token}\n"
        f"  Virtual door:   {base}/door\n"
        f"  GraphQL:        {base}/graphql\n"
        f"  Outbox:         {base}/outbox\n"
        f"  Data folder:    {settings.data_dir.resolve()}\n"
        + (
            f"  Cameras:        {', '.join(f'{c.spec.camera_id}={c.spec.source}' for c in vision.cameras)}\n"
            if vision and vision.cameras
            else "No camera yet: add one with --camera [ID=]SOURCE (webcam index, video file[#loop],\n"
            f"rtsp:// or http:// URL, image folder), or POST JPEGs to {base}/frames,\n"
            "or replay recorded face events with `smartdoor replay EVENT.json --frame PHOTO.jpg`.\n"
        ),
        flush=True,
    )
    config = uvicorn.Config(
        create_app(door, vision),
        log_level=settings.log_level.lower(),
        access_log=False,
        ws="websockets-sansio",
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _vision(door: LocalDoor, cameras: list[str]) -> Vision | None:
    try:
        from smartdoor.bootstrap import build_vision
        from smartdoor.vision.sources import CameraSpec

        specs = [CameraSpec.parse(text, n) for n, text in enumerate(cameras, start=1)]
        return build_vision(door, specs)
    except ImportError as exc:  # installed without the vision extra: the rest of the door still works
        print(f"Face analysis is off ({exc.name} is not installed): pip install 'smartdoor[vision]'.")
        return None


def _enroll(args: argparse.Namespace, settings: Settings) -> int:
    from smartdoor.bootstrap import build_local
    from smartdoor.server.enroll import enroll_from_photos

    if args.data_dir:
        settings = replace(settings, data_dir=args.data_dir)
    door = build_local(settings)
    try:
        return enroll_from_photos(door, args.name, args.phone, [Path(p) for p in args.photos])
    finally:
        door.close()


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    data_dir = args.data_dir or settings.data_dir
    token_file = Path(data_dir) / "owner-token"
    token = (
        args.token
        or os.environ.get("SMARTDOOR_OWNER_TOKEN")
        or (token_file.read_text().strip() if token_file.is_file() else "")
    )
    if not token:
        print(
            f"No owner token: pass --token or start the server once ({token_file} is made then).",
            file=sys.stderr,
        )
        return 2
    from smartdoor.server.replay import replay

    try:
        frame = Path(args.frame).read_bytes() if args.frame else None
    except OSError as exc:
        print(f"cannot read the frame {args.frame}: {exc.strerror}", file=sys.stderr)
        return 2
    return replay(args.server, token, args.camera, [Path(p) for p in args.events], frame)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="smartdoor", description="A door that knows its visitors.")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the door locally (GraphQL, pages, outbox)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000; 0 picks a free one)")
    serve.add_argument("--data-dir", type=Path, help="data folder (default ./smartdoor-data)")
    serve.add_argument(
        "--camera",
        action="append",
        metavar="[ID=]SOURCE",
        help="webcam index, video file (#loop repeats it), rtsp:// or http:// URL, image folder; repeatable",
    )
    enroll = commands.add_parser("enroll", help="register a visitor from photos of their face")
    enroll.add_argument("--name", required=True)
    enroll.add_argument("--phone", required=True, help="international format, e.g. +12065550100")
    enroll.add_argument("--data-dir", type=Path, help="data folder (default ./smartdoor-data)")
    enroll.add_argument("photos", nargs="+", help="photos with exactly one face each")
    replay = commands.add_parser("replay", help="send recorded face events to a running server")
    replay.add_argument("events", nargs="+", help="JSON files, each one face-search record")
    replay.add_argument("--server", default="http://127.0.0.1:8000")
    replay.add_argument("--camera", default="replay", help="camera id for records without a StreamArn")
    replay.add_argument("--frame", help="a JPEG to send as the frame (becomes the sighting's photo)")
    replay.add_argument("--token", help="the owner token (default: read from the data folder)")
    replay.add_argument("--data-dir", type=Path, help="data folder holding owner-token")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings(os.environ)
    except ValueError as exc:
        print(f"smartdoor: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        return _serve(args, settings)
    if args.command == "enroll":
        return _enroll(args, settings)
    return _replay(args, settings)


if __name__ == "__main__":
    sys.exit(main())
