"""A clean interpreter standing in for Lambda's: a venv holding only boto3 (as the runtime does), with an
asset first on the path (as /var/task is), run from an empty folder with no SMARTDOOR_* or AWS_* settings.

Bytecode is never written: Lambda's /var/task is read-only, so the cold start compiles what it imports, and a
__pycache__ left in the asset folder would change CDK's asset hash."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from smartdoor_cdk.lambda_assets import REPO, cache_root

VENV_TIMEOUT_S = 300


def boto3_requirement() -> str:
    """boto3 as the ``aws`` extra pins it: the runtime's boto3 is the one the code was written against."""
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["aws"]
    return next(str(r) for r in extra if str(r).startswith("boto3"))


def clean_venv() -> Path:
    """The interpreter of a cached venv with boto3 alone, made on first use."""
    spec = boto3_requirement()
    folder = cache_root() / f"venv-{hashlib.sha256(spec.encode()).hexdigest()[:16]}"
    python = folder / "bin" / "python"
    if python.exists():
        return python
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".venv-", dir=folder.parent))
    try:
        subprocess.run([sys.executable, "-m", "venv", str(staging)], check=True, timeout=VENV_TIMEOUT_S)
        pip = [
            str(staging / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ]
        subprocess.run([*pip, spec], check=True, timeout=VENV_TIMEOUT_S, stdin=subprocess.DEVNULL)
        # Only bin/python is used (a link to the base interpreter), so the venv may move once it is complete.
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return python


def lambda_env(asset: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "HOME", "TMPDIR")}
    return {
        **keep,
        "PYTHONPATH": str(asset),
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def run_in_lambda_python(
    python: Path, asset: Path, args: list[str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` with ``asset`` as /var/task, from an empty folder (the repository is off the path)."""
    with tempfile.TemporaryDirectory(prefix="lambda-cwd-") as cwd:
        return subprocess.run(
            [str(python), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=cwd,
            env=lambda_env(asset),
            stdin=subprocess.DEVNULL,
        )
