"""The local AppSync's install and its process manager: one graphql realm, no registry URL in a lock file,
and both processes stopped when starting fails, within a bound."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from smartdoor_cdk.local_appsync import SIMULATOR_DIR, LocalAppSync, ProcessFailed, installed
from tests.cloud.test_subscription_arguments import WIRING
from tests.needs import missing

pytestmark = pytest.mark.cloud

SIMULATOR_PACKAGE = SIMULATOR_DIR / "node_modules" / "@aws-amplify" / "amplify-appsync-simulator"


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_simulator_and_the_server_share_one_graphql() -> None:
    # Defect 1: npm hoisted a graphql@14 beside the simulator's 15, and every request failed with
    # "Cannot use GraphQLSchema from another module or realm".
    if not installed():
        missing("the local AppSync is not installed: run scripts/setup dev with npm available")
    script = (
        "const top = require.resolve('graphql');"
        f"const sim = require.resolve('graphql', {{paths: [{json.dumps(str(SIMULATOR_PACKAGE))}]}});"
        "console.log(JSON.stringify({same: top === sim, version: require('graphql/package.json').version}));"
    )
    done = subprocess.run(
        ["node", "-e", script], cwd=SIMULATOR_DIR, capture_output=True, text=True, timeout=30, check=True
    )
    assert json.loads(done.stdout) == {"same": True, "version": "15.11.0"}


def test_no_lock_file_records_a_registry_url() -> None:
    npmrc = (SIMULATOR_DIR / ".npmrc").read_text().splitlines()
    assert "package-lock=false" in npmrc
    assert "omit-lockfile-registry-resolved=true" in npmrc
    lock = SIMULATOR_DIR / "package-lock.json"
    assert not lock.exists() or "://" not in lock.read_text()


def test_a_simulator_that_cannot_start_stops_the_worker_too(tmp_path: Path) -> None:
    appsync = LocalAppSync(WIRING, {}, node=str(tmp_path / "no-node"))
    with pytest.raises(FileNotFoundError):
        appsync.start()
    assert appsync.worker_pid
    assert gone(appsync.worker_pid)


def test_a_simulator_that_never_says_ready_is_given_up_within_the_bound(tmp_path: Path) -> None:
    silent = tmp_path / "silent-node"
    silent.write_text("#!/bin/sh\nexec sleep 60\n")
    silent.chmod(0o755)
    appsync = LocalAppSync(WIRING, {}, node=str(silent), timeout=1.0)
    with pytest.raises(ProcessFailed, match="did not say it was ready within 1 s"):
        appsync.start()
    assert gone(appsync.worker_pid)
    assert not appsync.simulator_alive()
