"""The README tells the truth about the configuration and the set-up commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartdoor.config import Settings, settings_table

pytestmark = pytest.mark.integration

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_setting_with_its_default() -> None:
    text = README.read_text()
    for variable, default, meaning in settings_table():
        assert f"| `{variable}` | {default} | {meaning} |" in text


def test_readme_opens_with_the_run_and_test_commands() -> None:
    first_block = README.read_text().split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line.strip()]
    assert commands == ["bash scripts/run", "bash scripts/test"]
    ci = (README.parent / ".ci" / "run").read_text()
    assert "scripts/test" in ci


def test_settings_reject_bad_values_by_name() -> None:
    with pytest.raises(ValueError, match="SMARTDOOR_OTP_LIFETIME_SECONDS='301'"):
        Settings.from_env({"SMARTDOOR_OTP_LIFETIME_SECONDS": "301"})
    with pytest.raises(ValueError, match="SMARTDOOR_PORT"):
        Settings.from_env({"SMARTDOOR_PORT": "http"})
    assert (
        Settings.from_env({"SMARTDOOR_OTP_LIFETIME_SECONDS": "120"}).policy().otp_lifetime.total_seconds()
        == 120
    )
