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
import traceback
from dataclasses import replace
from typing import TYPE_CHECKING, NoReturn

from smartdoor.config import Settings
from smartdoor.server.startup import (
    EXIT_CAMERA,
    EXIT_DATA_FOLDER,
    EXIT_SERVER_FAILED,
    EXIT_USAGE,
    StartupFailed,
    cannot_listen,
)

if TYPE_CHECKING:
    from types import FrameType

    from smartdoor.bootstrap import LocalDoor
    from smartdoor.vision.service import Vision


def _socket(settings: Settings) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def bind(settings: Settings, shared: bool = False) -> tuple[socket.socket, Settings]:
    """Bind first, so port 0 can pick a free port and the banner and email links name the real one.

    ``shared``: SO_REUSEPORT, so each worker binds its own socket to the port and the kernel spreads new
    connections evenly (one inherited socket would let whichever process wakes first take them all).
    A port that cannot be had raises StartupFailed with the sentence to show.
    """
    sock = _socket(settings)
    try:
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        sock.close()
        raise cannot_listen(exc, settings.host, settings.port) from exc
    return sock, replace(settings, port=sock.getsockname()[1])


def claim_free_port(settings: Settings) -> Settings:
    """Check with a plain bind that nothing else listens on the port (picking one for port 0).

    Needed before SO_REUSEPORT: the kernel lets any process of the same user join a port its sockets
    share, so a second `serve --workers N` would quietly split the first one's connections with it.
    """
    probe, settings = bind(settings)
    probe.close()
    return settings


def check_cameras(cameras: list[str]) -> None:
    """Refuse to start with a camera that cannot work at all: a typo'd path would otherwise only show up
    as a failed camera in the console."""
    try:
        from smartdoor.vision.sources import CameraSpec
    except ImportError:  # no vision extra: the cameras are not run, _vision says so
        return
    for n, text in enumerate(cameras, start=1):
        try:
            spec = CameraSpec.parse(text, n)
        except ValueError as exc:
            raise StartupFailed(str(exc), EXIT_USAGE) from exc
        problem = spec.missing()
        if problem is not None:
            raise StartupFailed(problem, EXIT_CAMERA)


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
            f"rtsp:// or http:// URL, image folder), open {base}/camera,",
            f"or POST JPEGs to {base}/frames?camera=ID (owner token),",
            "or replay recorded face events with `smartdoor replay EVENT.json --frame PHOTO.jpg`.",
        ]
    return "\n".join(lines) + "\n"


def run_process(
    settings: Settings, sock: socket.socket, cameras: list[str], workers: int, index: int
) -> bool:
    """One server process: its own door over the shared data, its own event loop. False when the server
    did not start (uvicorn has logged why, e.g. a failing application startup): the caller's exit status
    then says so, rather than uvicorn's own 3, which would read as "cannot listen" here."""
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
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except SystemExit:  # uvicorn's way to end when the application's startup failed; it logged why
        return False
    return server.started


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
    """Run until stopped; raises StartupFailed for what a person must fix before the door can start."""
    from smartdoor.adapters.local.data_folder import DataFolderUnusable
    from smartdoor.bootstrap import build_local

    check_cameras(cameras)
    if workers > 1:
        settings = claim_free_port(settings)
    sock, settings = bind(settings, shared=workers > 1)
    # Create the data folder, keys and schema once, before any worker starts; then close (no SQLite
    # connection may cross a fork).
    try:
        first = build_local(settings)
    except DataFolderUnusable as exc:
        sock.close()
        raise StartupFailed(str(exc), EXIT_DATA_FOLDER) from exc
    token = first.owner_token
    first.close()
    print(banner(settings, token, cameras, workers), flush=True)
    if workers == 1:
        return _run_alone(settings, sock, cameras)
    return _supervise(settings, sock, cameras, workers)


class _Stopped(Exception):
    """Ctrl-C or SIGTERM reached the one server process."""


def _raise_stopped(signum: int, frame: FrameType | None) -> NoReturn:
    raise _Stopped


def _run_alone(settings: Settings, sock: socket.socket, cameras: list[str]) -> int:
    """One process, stopped as --help says (status 0). uvicorn shuts down on the signal, then raises it
    again to the handlers it found: Python's defaults made that a KeyboardInterrupt traceback (status 130),
    or a death by SIGTERM (143). These handlers make it the normal stop."""
    previous = {s: signal.signal(s, _raise_stopped) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return 0 if run_process(settings, sock, cameras, 1, 0) else EXIT_SERVER_FAILED
    except _Stopped:
        return 0
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _worker(settings: Settings, cameras: list[str], workers: int, index: int, report: int) -> NoReturn:
    """A forked server process: serves until told to stop and never returns into the parent's code.

    Why it stopped, if not by a signal, goes up the ``report`` pipe for the supervisor's last line, and
    its traceback to the terminal (os._exit skips the interpreter's own printing of it).
    """
    code, reason = 0, ""
    try:
        own, _ = bind(settings, shared=True)  # the parent's socket only reserved the port
        if not run_process(settings, own, cameras, workers, index):
            code, reason = EXIT_SERVER_FAILED, "the server did not start (its log above says why)"
    except KeyboardInterrupt:  # Ctrl-C reaches every process of the group: a normal stop
        pass
    except StartupFailed as exc:
        code, reason = exc.status, str(exc)
    except BaseException as exc:
        traceback.print_exc()
        code, reason = EXIT_SERVER_FAILED, f"{type(exc).__name__}: {exc}"
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        if reason:
            os.write(report, reason.encode("utf-8", "replace")[:_REASON_BYTES])
        os._exit(code)


_REASON_BYTES = 1000  # one line; a pipe takes this much without blocking


def _stop_reason(status: int, report: int) -> str:
    reason = os.read(report, _REASON_BYTES).decode("utf-8", "replace")  # the child is gone: no blocking
    if reason:
        return " ".join(reason.split())  # one line, whatever the exception's message held
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


def _supervise(settings: Settings, sock: socket.socket, cameras: list[str], workers: int) -> int:
    children: dict[int, tuple[int, int]] = {}  # pid -> (index, read end of its reason pipe)
    for index in range(workers):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            _worker(settings, cameras, workers, index, write)
        os.close(write)
        children[pid] = (index, read)
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
    failure = ""
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        index, report = children.pop(pid)
        reason = _stop_reason(status, report)
        os.close(report)
        if not stopping:
            # A worker died on its own: stop the others rather than serve with a hole in the pool.
            failure = f"server process {index + 1} of {workers} (pid {pid}) stopped: {reason}"
            stop(signal.SIGTERM, None)
    if failure:
        # Said once all are gone, so it is the last line: what the others print while stopping comes first.
        print(f"smartdoor: {failure}; the others were stopped", file=sys.stderr, flush=True)
        return EXIT_SERVER_FAILED
    return 0
