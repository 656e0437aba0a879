"""The `smartdoor` command: `serve` runs the door locally; `replay` feeds it recorded face events; `device`
runs a webcam as a door's device."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from smartdoor.config import Settings, load_settings
from smartdoor.server import device_command
from smartdoor.server.startup import EXIT_DATA_FOLDER, EXIT_STATUSES, EXIT_USAGE, StartupFailed

if TYPE_CHECKING:
    from smartdoor.bootstrap import LocalDoor


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from smartdoor.server.serve import serve

    overrides = {
        k: v
        for k, v in (("host", args.host), ("port", args.port), ("data_dir", args.data_dir))
        if v is not None
    }
    if args.workers < 1:
        print("smartdoor: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        return serve(replace(settings, **overrides), args.camera or [], args.workers)
    except StartupFailed as exc:
        print(f"smartdoor: {exc}", file=sys.stderr)
        return exc.status


def _door_beside_server(args: argparse.Namespace, settings: Settings) -> LocalDoor | None:
    """The door of the data folder (``--data-dir`` or the settings'), opened beside a running server: the
    console there hears of what the command changes. None, said on stderr, when the folder is unusable."""
    from smartdoor.adapters.local.data_folder import DataFolderUnusable
    from smartdoor.bootstrap import build_local

    if args.data_dir:
        settings = replace(settings, data_dir=args.data_dir)
    try:
        return build_local(settings, primary=False, beside_server=True)
    except DataFolderUnusable as exc:
        print(f"smartdoor: {exc}", file=sys.stderr)
        return None


def _enroll(args: argparse.Namespace, settings: Settings) -> int:
    from smartdoor.server.enroll import enroll_from_photos

    door = _door_beside_server(args, settings)
    if door is None:
        return EXIT_DATA_FOLDER
    try:
        return enroll_from_photos(door, args.name, args.phone, [Path(p) for p in args.photos])
    finally:
        door.close()


def _device_token(args: argparse.Namespace, settings: Settings) -> int:
    from smartdoor.domain.errors import InvalidInput
    from smartdoor.services.authorization import Owner
    from smartdoor.services.frame_uploads import issue_device_token

    door = _door_beside_server(args, settings)
    if door is None:
        return EXIT_DATA_FOLDER
    try:
        # Whoever can read the data folder holds the door's key, so is the owner here.
        print(issue_device_token(door.door, Owner(), args.camera_id))
    except InvalidInput as exc:
        print(f"smartdoor: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        door.close()
    return 0


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
    serve = commands.add_parser(
        "serve",
        help="run the door locally (GraphQL, pages, outbox)",
        description="Run the door locally (GraphQL, pages, outbox).",
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000; 0 picks a free one)")
    serve.add_argument("--data-dir", type=Path, help="data folder (default ./smartdoor-data)")
    serve.add_argument(
        "--camera",
        action="append",
        metavar="[ID=]SOURCE",
        help="webcam index, video file (#loop repeats it), rtsp:// or http:// URL, image folder; repeatable",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (default 1); the first also runs the cameras",
    )
    enroll = commands.add_parser("enroll", help="register a visitor from photos of their face")
    enroll.add_argument("--name", required=True)
    enroll.add_argument("--phone", required=True, help="international format, e.g. +12065550100")
    enroll.add_argument("--data-dir", type=Path, help="data folder (default ./smartdoor-data)")
    enroll.add_argument("photos", nargs="+", help="photos with exactly one face each")
    token = commands.add_parser(
        "device-token",
        help="print a door device's token for one camera of this data folder's door",
        description="Print a door device's token for one camera (its only credential: keep it secret)."
        " Every token stops working when the data folder's secret-key is replaced.",
    )
    token.add_argument("camera_id", metavar="CAMERA_ID", help="the camera the device's frames are of")
    token.add_argument("--data-dir", type=Path, help="data folder (default ./smartdoor-data)")
    replay = commands.add_parser("replay", help="send recorded face events to a running server")
    replay.add_argument(
        "events",
        nargs="+",
        help="JSON files, each a face-search record, a list of records or a whole Lambda Kinesis event",
    )
    replay.add_argument("--server", default="http://127.0.0.1:8000")
    replay.add_argument("--camera", default="replay", help="camera id for records without a StreamArn")
    replay.add_argument(
        "--frame",
        help="a JPEG of the visitor: its face (found as the camera would) and the time of the replay stand"
        " for the record's; a frame with no face is refused",
    )
    replay.add_argument("--token", help="the owner token (default: read from the data folder)")
    replay.add_argument("--data-dir", type=Path, help="data folder holding owner-token")
    device_command.add_parser(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings(os.environ)
    except ValueError as exc:
        print(f"smartdoor: {exc}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        return _serve(args, settings)
    if args.command == "enroll":
        return _enroll(args, settings)
    if args.command == "device":
        device_command.quiet_http_logs()
        return device_command.run(args, os.environ)
    if args.command == "device-token":
        return _device_token(args, settings)
    return _replay(args, settings)


if __name__ == "__main__":
    sys.exit(main())
