"""Why the door could not start: one sentence for the terminal and an exit status, never a traceback.

These are problems a person fixes (a busy port, a data folder that is a file, a camera file that is not
there); a traceback would only hide the sentence that says what to do.
"""

from __future__ import annotations

import errno
import socket

# Exit statuses of `smartdoor serve` (also listed in its --help and the README).
EXIT_SERVER_FAILED = 1  # a server process stopped on its own (its error is printed above the last line)
EXIT_USAGE = 2  # a bad option or setting
EXIT_CANNOT_LISTEN = 3  # the port is in use, or the address cannot be listened on
EXIT_DATA_FOLDER = 4  # the data folder cannot be created or written
EXIT_CAMERA = 5  # a camera's file or folder does not exist

EXIT_STATUSES = f"""exit statuses:
  0  stopped by Ctrl-C or SIGTERM
  {EXIT_SERVER_FAILED}  a server process stopped on its own (its error is printed above)
  {EXIT_USAGE}  a bad option or setting
  {EXIT_CANNOT_LISTEN}  the port is in use, or the address cannot be listened on
  {EXIT_DATA_FOLDER}  the data folder cannot be created or written
  {EXIT_CAMERA}  a camera's file or folder does not exist"""


class StartupFailed(Exception):
    """The server cannot start; ``str(self)`` is the one line to show, ``status`` the exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def cannot_listen(exc: OSError, host: str, port: int) -> StartupFailed:
    """Turn a bind error into the sentence a person can act on, by its type and errno."""
    if isinstance(exc, socket.gaierror):
        return StartupFailed(
            f"cannot listen on {host!r}: no such address; choose another with --host",
            EXIT_CANNOT_LISTEN,
        )
    if exc.errno == errno.EADDRINUSE:
        return StartupFailed(
            f"port {port} is in use: another Smart Door? choose another with --port", EXIT_CANNOT_LISTEN
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return StartupFailed(
            f"cannot listen on {host}: it is not an address of this machine; choose another with --host",
            EXIT_CANNOT_LISTEN,
        )
    if exc.errno == errno.EACCES:
        return StartupFailed(
            f"port {port} needs more privileges: choose one above 1023 with --port", EXIT_CANNOT_LISTEN
        )
    return StartupFailed(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_CANNOT_LISTEN)
