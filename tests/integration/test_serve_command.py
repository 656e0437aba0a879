"""`smartdoor serve` as a user starts it: the banner, the owner token file, a clean stop, and one sentence
with an exit status for each reason it cannot start."""

from __future__ import annotations

import ctypes
import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from smartdoor.adapters.local.keys import load_or_create_secret
from smartdoor.bootstrap import build_local
from smartdoor.config import Settings
from smartdoor.server.serve import bind, run_process
from smartdoor.server.startup import EXIT_CAMERA, EXIT_CANNOT_LISTEN, EXIT_DATA_FOLDER, EXIT_SERVER_FAILED
from tests.waiting import Output

pytestmark = pytest.mark.integration


def test_secrets_are_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "d" / "owner-token"
    first = load_or_create_secret(path)
    assert load_or_create_secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    path.write_text("short")
    with pytest.raises(ValueError, match="too short to be a secret"):
        load_or_create_secret(path)


def test_serve_prints_the_owner_url_and_stops_cleanly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTDOOR_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "smartdoor.server.cli", "serve", "--port", "0", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,  # no .env from the repository
    )
    assert process.stdout is not None
    output = Output(process.stdout)
    try:
        banner = output.wait_for("Owner console", "No camera yet")
        match = re.search(r"Owner console:\s+(http://127\.0\.0\.1:(\d+))/\?token=(\S+)", banner)
        assert match, banner
        base, token = match.group(1), match.group(3)
        assert token == (tmp_path / "owner-token").read_text().strip()
        output.wait_for("Application startup complete")  # the banner comes just before uvicorn accepts
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
        outbox = httpx.get(f"{base}/outbox.json", headers={"authorization": f"Bearer {token}"})
        assert outbox.json() == {"messages": []}
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    # uvicorn shuts down gracefully, then re-raises Ctrl-C to the default handler.
    assert code in (0, -signal.SIGINT)
    assert "Application shutdown complete" in output.all()


# What a person sees when the door cannot start: one sentence on stderr, an exit status, no traceback.


def _serve(
    *args: str, cwd: Path, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTDOOR_")}
    return subprocess.run(
        [sys.executable, "-m", "smartdoor.server.cli", "serve", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,  # a refusal takes a second; this only bounds a server that starts by mistake
        preexec_fn=preexec,
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port something else listens on, as a plain server would."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_is_one_sentence(tmp_path: Path, busy_port: int, workers: str) -> None:
    result = _serve("--port", str(busy_port), "--workers", workers, "--data-dir", "data", cwd=tmp_path)
    assert _one_line(result) == (
        f"smartdoor: port {busy_port} is in use: another Smart Door? choose another with --port"
    )
    assert result.returncode == EXIT_CANNOT_LISTEN
    assert not (tmp_path / "data").exists()  # refused before anything was made


def test_several_workers_do_not_join_another_pool_on_the_port(tmp_path: Path) -> None:
    # GIVEN a port held with SO_REUSEPORT, as another `smartdoor serve --workers N` holds it
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        # WHEN a second pool starts on it THEN it refuses instead of taking half the connections
        result = _serve("--port", str(port), "--workers", "2", "--data-dir", "data", cwd=tmp_path)
    assert _one_line(result) == (
        f"smartdoor: port {port} is in use: another Smart Door? choose another with --port"
    )
    assert result.returncode == EXIT_CANNOT_LISTEN


def test_a_data_folder_that_is_a_file_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder")
    result = _serve("--port", "0", "--data-dir", "data", cwd=tmp_path)
    assert _one_line(result) == "smartdoor: data is a file, not a folder: choose another with --data-dir"
    assert result.returncode == EXIT_DATA_FOLDER


def _as_if_not_root() -> None:
    """In the child before exec: drop root's power to write where permissions forbid it (CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH from the bounding set), so a read-only folder is read-only for it too."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_a_data_folder_that_is_not_writable_is_one_sentence(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o555)
    try:
        result = _serve(
            "--port",
            "0",
            "--data-dir",
            "data",
            cwd=tmp_path,
            preexec=_as_if_not_root if os.geteuid() == 0 else None,
        )
    finally:
        data.chmod(0o700)
    assert _one_line(result) == (
        "smartdoor: the data folder data is not writable: fix its permissions or choose another "
        "with --data-dir"
    )
    assert result.returncode == EXIT_DATA_FOLDER


def test_a_camera_file_that_does_not_exist_is_refused_at_start(tmp_path: Path) -> None:
    result = _serve("--port", "0", "--data-dir", "data", "--camera", "door=clip.mp4", cwd=tmp_path)
    assert _one_line(result) == (
        "smartdoor: camera door: clip.mp4 does not exist (give a webcam index, a video file, an rtsp:// "
        "or http:// URL, or an image folder)"
    )
    assert result.returncode == EXIT_CAMERA


def test_a_worker_that_dies_at_start_says_which_and_why(tmp_path: Path) -> None:
    # GIVEN a database that the single start-up check accepts but the workers cannot use: its sighting
    # feed (read by every server process when it starts, not by the preparation of the data folder) is gone
    build_local(Settings(data_dir=tmp_path / "data")).close()
    with sqlite3.connect(tmp_path / "data" / "smartdoor.db") as db:
        db.execute("DROP TABLE sighting_feed")
    # WHEN the pool starts
    result = _serve("--port", "0", "--workers", "2", "--data-dir", "data", cwd=tmp_path)
    # THEN the worker's traceback reaches the terminal, then one line says which worker died and why
    assert result.returncode == EXIT_SERVER_FAILED, result.stdout + result.stderr
    assert "Traceback" in result.stderr
    assert "no such table: sighting_feed" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        r"smartdoor: server process [12] of 2 \(pid \d+\) stopped: the server did not start \(its log above "
        r"says why\); the others were stopped",
        last,
    ), result.stderr


def test_a_server_whose_startup_fails_does_not_report_success(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an application whose startup fails (uvicorn logs why, then exits with its own status 3)
    @asynccontextmanager
    async def failing(_: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("startup failed")
        yield

    monkeypatch.setattr("smartdoor.server.app.create_app", lambda *_: Starlette(lifespan=failing))
    settings = Settings(data_dir=tmp_path / "data", port=0, log_level="CRITICAL")
    sock, settings = bind(settings)
    try:
        # WHEN one server process runs THEN it says it did not start (serve then exits 1, a worker
        # reports it in one line)
        assert run_process(settings, sock, [], 1, 0) is False
    finally:
        sock.close()
