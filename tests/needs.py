"""What a tier needs from the machine (test data, chromium): skip without it on a laptop, fail on CI.

On CI (CI=true) a skipped tier would let a run pass that tested nothing there, so it fails instead.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def on_ci() -> bool:
    return os.environ.get("CI") == "true"


def missing(reason: str) -> NoReturn:
    if on_ci():
        pytest.fail(f"{reason} (CI=true: a tier that cannot run fails the run)", pytrace=False)
    pytest.skip(reason)
