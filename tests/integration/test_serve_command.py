"""`smartdoor serve` as a user starts it: the banner, the owner token file, a clean stop."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from smartdoor.adapters.local.keys import load_or_create_secret

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
    try:
        assert process.stdout is not None
        banner = ""
        deadline = time.monotonic() + 60
        while "Owner console" not in banner or "No camera yet" not in banner:
            assert time.monotonic() < deadline, banner
            banner += process.stdout.readline()
        match = re.search(r"Owner console:\s+(http://127\.0\.0\.1:(\d+))/\?token=(\S+)", banner)
        assert match, banner
        base, token = match.group(1), match.group(3)
        assert token == (tmp_path / "owner-token").read_text().strip()
        for _ in range(100):  # bounded: the banner comes just before uvicorn starts accepting
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        outbox = httpx.get(f"{base}/outbox.json", headers={"authorization": f"Bearer {token}"})
        assert outbox.json() == {"messages": []}
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    # uvicorn shuts down gracefully, then re-raises Ctrl-C to the default handler.
    assert code in (0, -signal.SIGINT)
    assert process.stdout is not None
    with process.stdout:
        assert "Application shutdown complete" in process.stdout.read()
