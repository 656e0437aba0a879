"""The data folder: made if missing, and checked writable before anything is stored in it."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


class DataFolderUnusable(Exception):
    """The data folder cannot be created or written; a person has to fix that, no retry will."""


def prepare_data_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # exist_ok covers folders only: this is a file
        raise DataFolderUnusable(f"{folder} is a file, not a folder: choose another with --data-dir") from exc
    except NotADirectoryError as exc:
        raise DataFolderUnusable(
            f"{folder} cannot be made: part of its path is a file; choose another with --data-dir"
        ) from exc
    except PermissionError as exc:
        raise DataFolderUnusable(
            f"the data folder {folder} cannot be made: no permission; choose another with --data-dir"
        ) from exc
    # An existing folder may still refuse writes (permissions, a read-only disk): find out now, with one
    # sentence, rather than as a traceback from whichever file happens to be written first.
    try:
        handle, probe = tempfile.mkstemp(prefix=".write-check-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
            raise DataFolderUnusable(
                f"the data folder {folder} is not writable: fix its permissions or choose another with "
                "--data-dir"
            ) from exc
        raise
