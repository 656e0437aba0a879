"""`smartdoor device` without the `device` extra says what to install instead of raising."""

from __future__ import annotations

import sys

import pytest

from smartdoor.server import device_command
from smartdoor.server.cli import parser


def test_a_missing_device_extra_is_one_line_naming_the_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As after `bash scripts/run` before the device extra was part of it: no httpx in the venv.
    monkeypatch.setitem(sys.modules, "httpx", None)
    for module in ("smartdoor.server.frame_uploads", "smartdoor.server.device"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    args = parser().parse_args(
        ["device", "--api", "http://127.0.0.1:9/graphql", "--camera-id", "door", "--device-token", "t"]
    )

    status = device_command.run(args, {})

    assert status == device_command.EXIT_MISSING_EXTRA
    err = capsys.readouterr().err
    assert err == (
        "smartdoor device: httpx is not installed: the device needs the `device` extra"
        " (bash scripts/setup device)\n"
    )
