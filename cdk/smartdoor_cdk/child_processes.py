"""Child processes that end with their parent, however it ends, and the one way the parent stops them.

A parent stopped by SIGKILL (or a crash) runs no clean-up: without this its workers, simulator and moto server
would be left running, holding ports. On Linux each child asks the kernel for SIGTERM when its parent dies
(prctl PR_SET_PDEATHSIG); elsewhere nothing is asked and the parent's own stop is all there is.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """A ``preexec_fn``: runs in the child between fork and exec."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def stop_child(process: subprocess.Popen[bytes] | None, seconds: float) -> None:
    """SIGTERM, then SIGKILL after ``seconds``; the child is reaped either way and its stdout closed."""
    if process is None:
        return
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=seconds)
    if process.stdout is not None:
        process.stdout.close()
