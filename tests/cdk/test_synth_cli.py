"""`cdk synth` with the pinned CLI (cdk/package.json), offline, into a temporary cdk.out: it must succeed.

The time it took is printed (run with -s to see it), not asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cdk.conftest import APP_DIR
from tests.needs import missing

pytestmark = pytest.mark.cdk

CLI = APP_DIR / "node_modules" / ".bin" / "cdk"


def test_cdk_synth_runs_offline(tmp_path: Path) -> None:
    if not CLI.exists():
        missing("the CDK CLI is not installed: run scripts/setup dev (it needs npm)")
    env = {
        **os.environ,
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        # No credentials, no account lookups: the synth must not need the cloud.
        "AWS_EC2_METADATA_DISABLED": "true",
        "CDK_DISABLE_VERSION_CHECK": "1",
    }
    started = time.monotonic()
    run = subprocess.run(
        [
            str(CLI),
            "synth",
            "--no-notices",
            "--quiet",
            "--no-version-reporting",
            "-o",
            str(tmp_path / "cdk.out"),
            "--app",
            f"{sys.executable} app.py",
        ],
        cwd=APP_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    print(f"cdk synth took {time.monotonic() - started:.1f} s")
    assert run.returncode == 0, run.stderr[-3000:]
    assert (tmp_path / "cdk.out" / "SmartDoor.template.json").is_file()
