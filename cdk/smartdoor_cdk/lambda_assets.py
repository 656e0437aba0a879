"""PLACEHOLDER until the real, pip-installing build lands: a Lambda function's code as a folder.

Stages the function's package and ``smartdoor/`` (without its local edge, local adapters and vision, which no
Lambda imports) into a fresh folder per process, without third-party dependencies:
enough to synthesise the app; the real build replaces it.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Not part of any Lambda: the local server, SQLite and dlib code (tests/lambda_imports.py holds the rule).
_LEFT_OUT = ("__pycache__", "*.pyc", "server", "local", "vision")


@cache
def lambda_asset(name: str) -> Path:
    """The folder for ``Code.from_asset`` of the function package ``name`` (resolvers, stream_handler)."""
    source = REPO / name
    if not (source / "__init__.py").is_file():
        raise ValueError(f"{name!r} is no function package of this repository")
    target = Path(tempfile.mkdtemp(prefix=f"smartdoor-{name}-"))
    ignore = shutil.ignore_patterns(*_LEFT_OUT)
    shutil.copytree(source, target / name, ignore=ignore)
    shutil.copytree(REPO / "smartdoor", target / "smartdoor", ignore=ignore)
    return target
