"""The resolver Lambda ships without the local edge: importing its handler (and every module of resolvers/)
in a fresh interpreter loads nothing local or heavy."""

from __future__ import annotations

import pkgutil

import pytest

import resolvers
from tests.lambda_imports import forbidden_in, loaded_by

pytestmark = pytest.mark.lambdas

MODULES = sorted(m.name for m in pkgutil.iter_modules(resolvers.__path__, "resolvers."))


def test_every_router_module_is_checked() -> None:
    assert {"resolvers.app", "resolvers.console", "resolvers.door", "resolvers.publishing"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_a_resolver_module_imports_nothing_a_lambda_must_not_ship(module: str) -> None:
    loaded = loaded_by(module)
    assert module in loaded
    assert forbidden_in(loaded) == []
