"""The frame Lambda's asset holds no dlib, SQLite code, numpy, strawberry or uvicorn, and none of the local
edge: importing its handler in a fresh interpreter must not load them."""

from __future__ import annotations

import pytest

from tests.lambda_imports import forbidden_in, loaded_by

pytestmark = pytest.mark.lambdas


def test_the_frame_handler_imports_nothing_a_lambda_must_not_ship() -> None:
    loaded = loaded_by("stream_handler.frames")

    assert "stream_handler.frames" in loaded
    assert "smartdoor.services.frame_faces" in loaded
    assert forbidden_in(loaded) == []
