"""What a Lambda's import (its cold start) leaves for later: libphonenumber's tables (about 40 ms to import)
load when a number is first parsed or shown, not when a handler is imported."""

from __future__ import annotations

import pytest

from tests.lambda_imports import loaded_by

pytestmark = pytest.mark.lambdas

DEFERRED = ("phonenumbers",)


@pytest.mark.parametrize("module", ["resolvers.app", "stream_handler", "stream_handler.outbox"])
def test_importing_a_handler_leaves_phone_number_tables_unloaded(module: str) -> None:
    loaded = loaded_by(module)
    assert module in loaded
    assert [m for m in loaded if m.split(".")[0] in DEFERRED] == []
