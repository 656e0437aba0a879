"""The README's table of context parameters is the deployment guide's promise: the same names as
smartdoor_cdk/parameters.py reads, with the defaults DEFAULTS holds (and app.py's stack name)."""

from __future__ import annotations

import re

import pytest

from smartdoor_cdk.parameters import DEFAULTS
from tests.cdk.conftest import REPO, STACK

pytestmark = pytest.mark.cdk

# app.py reads stack_name itself; every synthesis in conftest.py, without context, finds its stack by STACK.
STACK_NAME_DEFAULT = STACK


def documented() -> dict[str, str]:
    """Name → the Default cell, from the README's table headed `| Context parameter | Default | Meaning |`."""
    lines = (REPO / "README.md").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Context parameter |"))
    rows: dict[str, str] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        name, default = (cell.strip() for cell in line.strip("|").split("|")[:2])
        rows[name.strip("`")] = default
    return rows


def test_the_readme_lists_every_parameter_with_its_default() -> None:
    rows = documented()
    assert set(rows) == {*DEFAULTS, "stack_name"}
    assert rows.pop("stack_name") == STACK_NAME_DEFAULT
    # The region falls back on the CDK's own default first; the README says so before the value.
    assert re.fullmatch(rf"`CDK_DEFAULT_REGION`, else {re.escape(DEFAULTS['region'])}", rows.pop("region"))
    assert rows == {name: value for name, value in DEFAULTS.items() if name != "region"}
