"""The stream handler's asset holds no dlib, SQLite code, numpy, strawberry or uvicorn, and none of the local
edge: importing it in a fresh interpreter must not load them."""

from __future__ import annotations

import pytest

from tests.lambda_imports import forbidden_in, loaded_by

pytestmark = pytest.mark.lambdas


def test_the_handler_imports_nothing_a_lambda_must_not_ship() -> None:
    loaded = loaded_by("stream_handler")

    assert "stream_handler.app" in loaded
    assert forbidden_in(loaded) == []


def test_the_photo_retry_handler_imports_nothing_a_lambda_must_not_ship() -> None:
    loaded = loaded_by("stream_handler.photo_retry")

    assert "smartdoor.services.awaited_photos" in loaded
    assert forbidden_in(loaded) == []


def test_the_outbox_sender_imports_nothing_a_lambda_must_not_ship() -> None:
    loaded = loaded_by("stream_handler.outbox")

    assert "smartdoor.edges.lambda_outbox" in loaded
    assert forbidden_in(loaded) == []
