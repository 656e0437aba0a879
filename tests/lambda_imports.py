"""What a Lambda asset must not carry, and a probe that imports one module alone in a fresh interpreter
(modules already loaded in the test process would hide an import) and says what it loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# dlib, OpenCV, numpy, SQLite, the local GraphQL server and the local edge stay on the laptop.
FORBIDDEN = (
    "numpy",
    "sqlite3",
    "_sqlite3",
    "strawberry",
    "uvicorn",
    "starlette",
    "dlib",
    "cv2",
    "smartdoor.adapters.local",
    "smartdoor.server",
    "smartdoor.vision",
)

_PROBE = "import json, sys\nimport {module}\nprint(json.dumps(sorted(sys.modules)))"


def loaded_by(module: str) -> list[str]:
    """Every module importing ``module`` loads, from a fresh interpreter in the repository's root."""
    return loaded_running(_PROBE.format(module=module))


def loaded_running(script: str, env: Mapping[str, str] | None = None, timeout: float = 60) -> list[str]:
    """Every module a fresh interpreter in the repository's root loads running ``script`` (with ``env``
    as its whole environment, when given); the script ends by printing ``json.dumps(sorted(sys.modules))``."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
        cwd=REPO,
        env=env,
    )
    modules: list[str] = json.loads(done.stdout)
    return modules


def forbidden_in(loaded: list[str]) -> list[str]:
    return [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
