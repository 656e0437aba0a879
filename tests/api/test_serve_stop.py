"""`smartdoor serve` in one process stops as its --help says: Ctrl-C or SIGTERM → exit status 0, after
uvicorn's clean shutdown, and no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.waiting import Output

pytestmark = pytest.mark.api


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stopped_server_exits_0_without_a_traceback(tmp_path: Path, signum: signal.Signals) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTDOOR_")}
    command = [sys.executable, "-m", "smartdoor.server.cli", "serve", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    output = Output(process.stdout)
    try:
        banner = output.wait_for("GraphQL:", "Application startup complete")
        base = banner.split("GraphQL:", 1)[1].split()[0].removesuffix("/graphql")
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
    finally:
        process.send_signal(signum)
        code = process.wait(timeout=30)
    rest = output.all()
    assert code == 0, rest
    assert "Application shutdown complete" in rest
    assert "Traceback" not in rest, rest
