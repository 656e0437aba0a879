"""`smartdoor serve`: bind, print the owner's URL, run one server process or supervise several.

With ``--workers N`` every process serves HTTP on the same socket (the kernel spreads connections); the
first one (the primary) also runs the cameras, mail delivery and housekeeping, and sightings reach every
process's console subscribers through the SQLite feed (bootstrap picks it).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from smartdoor.config import Settings

if TYPE_CHECKING:
    from smartdoor.bootstrap import LocalDoor
    from smartdoor.vision.service import Vision


def bind(settings: Settings, shared: bool = False) -> tuple[socket.socket, Settings]:
    """Bind first, so port 0 can pick a free port and the banner and email links name the real one.

    ``shared``: SO_REUSEPORT, so each worker binds its own socket to the port and the kernel spreads new
    connections evenly (one inherited socket would let whichever process wakes first take them all).
    """
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((settings.host, settings.port))
    return sock, replace(settings, port=sock.getsockname()[1])


def banner(settings: Settings, owner_token: str, cameras: list[str], workers: int) -> str:
    base = settings.base_url
    lines = [
        "",
        "Smart Door is running." + (f" ({workers} server processes)" if workers > 1 else ""),
        f"  Owner console:  {base}/?token={owner_token}",
        f"  Virtual door:   {base}/door",
        f"  GraphQL:        {base}/graphql",
        f"  Outbox:         {base}/outbox",
        f"  Data folder:    {settings.data_dir.resolve()}",
    ]
    if cameras:
        lines.append(f"  Cameras:        {', '.join(cameras)}")
    else:
        lines += [
            "No camera yet: add one with --camera [ID=]SOURCE (webcam index, video file[#loop],",
            f"rtsp:// or http:// URL, image folder), open {base}/camera, or POST JPEGs to {base}/frames,",
            "or replay recorded face events with `smartdoor replay EVENT.json --frame PHOTO.jpg`.",
        ]
    return "\n".join(lines) + "\n"


def run_process(
    settings: Settings, sock: socket.socket, cameras: list[str], workers: int, index: int
) -> None:
    """One server process: its own door over the shared data, its own event loop."""
    import uvicorn

    from smartdoor.bootstrap import build_local
    from smartdoor.server.app import create_app

    primary = index == 0
    door = build_local(settings, workers=workers, primary=primary)
    vision = _vision(door, cameras if primary else [])
    config = uvicorn.Config(
        create_app(door, vision),
        log_level=settings.log_level.lower(),
        access_log=False,
        ws="websockets-sansio",
        # uvicorn would believe X-Forwarded-For from loopback; the door resolves client addresses itself
        # (SMARTDOOR_TRUSTED_PROXIES), so a guesser cannot pick a new "address" per guess.
        proxy_headers=False,
    )
    uvicorn.Server(config).run(sockets=[sock])


def _vision(door: LocalDoor, cameras: list[str]) -> Vision | None:
    try:
        from smartdoor.bootstrap import build_vision
        from smartdoor.vision.sources import CameraSpec
    except ImportError as exc:  # installed without the vision extra: the rest of the door still works
        print(f"Face analysis is off ({exc.name} is not installed): pip install 'smartdoor[vision]'.")
        return None
    specs = [CameraSpec.parse(text, n) for n, text in enumerate(cameras, start=1)]
    return build_vision(door, specs)


def serve(settings: Settings, cameras: list[str], workers: int) -> int:
    from smartdoor.bootstrap import build_local

    sock, settings = bind(settings, shared=workers > 1)
    # Create the data folder, keys and schema once, before any worker starts; then close (no SQLite
    # connection may cross a fork).
    first = build_local(settings)
    token = first.owner_token
    first.close()
    print(banner(settings, token, cameras, workers), flush=True)
    if workers == 1:
        run_process(settings, sock, cameras, 1, 0)
        return 0
    return _supervise(settings, sock, cameras, workers)


def _supervise(settings: Settings, sock: socket.socket, cameras: list[str], workers: int) -> int:
    children: list[int] = []
    for index in range(workers):
        pid = os.fork()
        if pid == 0:  # the child serves until told to stop, and never returns into the parent's code
            code = 0
            try:
                own, _ = bind(settings, shared=True)  # the parent's socket only reserved the port
                run_process(settings, own, cameras, workers, index)
            except BaseException:
                code = 1
                raise
            finally:
                sys.stdout.flush()
                os._exit(code)
        children.append(pid)
    sock.close()

    stopping = False

    def stop(signum: int, _: object) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            try:
                os.kill(child, signal.SIGTERM if signum == signal.SIGTERM else signal.SIGINT)
            except ProcessLookupError:
                continue

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    failed = False
    while children:
        try:
            pid, _ = os.wait()
        except ChildProcessError:
            break
        children.remove(pid)
        if not stopping:
            # A worker died on its own: stop the others rather than serve with a hole in the pool.
            failed = True
            stop(signal.SIGTERM, None)
    return 1 if failed else 0
