"""The resolver Lambda ships without the local edge: importing its handler (and every module of resolvers/)
in a fresh interpreter loads nothing local or heavy."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import resolvers

pytestmark = pytest.mark.lambdas

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
MODULES = sorted(m.name for m in pkgutil.iter_modules(resolvers.__path__, "resolvers."))
PROBE = "import json, sys\nimport {module}\nprint(json.dumps(sorted(sys.modules)))"


def loaded_by(module: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    modules: list[str] = json.loads(done.stdout)
    return modules


def test_every_router_module_is_checked() -> None:
    assert {"resolvers.app", "resolvers.console", "resolvers.door", "resolvers.publishing"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_a_resolver_module_imports_nothing_a_lambda_must_not_ship(module: str) -> None:
    loaded = loaded_by(module)
    assert module in loaded
    assert [m for m in loaded if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)] == []
