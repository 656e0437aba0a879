"""The stream handler's asset holds no dlib, SQLite code, numpy, strawberry or uvicorn, and none of the local
edge: importing it in a fresh interpreter must not load them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.lambdas

REPO = Path(__file__).resolve().parents[3]
FORBIDDEN = (
    "dlib",
    "sqlite3",
    "_sqlite3",
    "numpy",
    "cv2",
    "strawberry",
    "uvicorn",
    "smartdoor.server",
    "smartdoor.vision",
    "smartdoor.adapters.local",
)
PROBE = "import json, sys, stream_handler; print(json.dumps(sorted(sys.modules)))"


def test_the_handler_imports_nothing_a_lambda_must_not_ship() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True, cwd=REPO
    )
    loaded: list[str] = json.loads(done.stdout)

    assert "stream_handler.app" in loaded
    assert [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)] == []
