"""The README tells the truth about the configuration and the set-up commands."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from smartdoor.config import Settings, settings_table
from smartdoor.server.cli import parser

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


# Names a reader types: each one the README mentions must be one the code knows.

ROOT = README.parent
# Variables read by one command or by the tests, not settings of the door (so not in config.py).
COMMAND_VARIABLES = {
    "SMARTDOOR_DEVICE_TOKEN": ROOT / "smartdoor" / "server" / "device_command.py",
    "SMARTDOOR_API_KEY": ROOT / "smartdoor" / "server" / "device_command.py",
    "SMARTDOOR_OWNER_TOKEN": ROOT / "smartdoor" / "server" / "cli.py",
    "SMARTDOOR_TESTDATA": ROOT / "tests" / "conftest.py",
    "SMARTDOOR_CHROMIUM": ROOT / "tests" / "browser" / "conftest.py",
}


def test_every_smartdoor_variable_in_the_readme_is_read_by_the_code() -> None:
    settings = {variable for variable, _, _ in settings_table()}
    for variable, reader in COMMAND_VARIABLES.items():
        assert variable not in settings, variable
        assert variable in reader.read_text(), (variable, reader)
    named = set(re.findall(r"SMARTDOOR_[A-Z0-9_]*[A-Z0-9]", README.read_text()))
    assert named - settings - COMMAND_VARIABLES.keys() == set()


def test_the_configuration_table_lists_only_settings() -> None:
    section = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(SMARTDOOR_[A-Z0-9_]+)` \|", section, flags=re.MULTILINE)
    assert rows == [variable for variable, _, _ in settings_table()]


def test_every_smartdoor_command_in_the_readme_exists() -> None:
    commands = set(re.findall(r"\bsmartdoor ([a-z][a-z-]*)", README.read_text()))
    subparsers = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert commands - set(subparsers.choices) == set()
    assert commands >= {"serve", "replay", "enroll", "device", "device-token"}


def _layout_paths() -> list[tuple[str, str]]:
    """(folder, path) for every path-like word of the Layout block: a top-level entry, a word ending in
    `/` or a file extension, or a `{a,b}` list, each to be found under the entry it is written beside
    (or from the top)."""
    block = README.read_text().split("## Layout", 1)[1].split("```", 2)[1]
    found: list[tuple[str, str]] = []
    top = ""
    for line in block.splitlines():
        if line and not line.startswith(" "):
            top = line.split()[0]
            found.append(("", top))
        for word in re.findall(r"[\w.{},-]+(?:/[\w.{},-]*)*", line):
            word = word.strip(".,")
            braces = re.fullmatch(r"(.*)\{([^}]*)\}(.*)", word)
            names = [braces[1] + n + braces[3] for n in braces[2].split(",")] if braces else [word]
            found += [
                (top, name)
                for name in names
                if name != top and (braces or re.search(r"/$|\.(py|js|json|graphql|md)$", name))
            ]
    return found


def _exists_under(folder: Path, path: str) -> bool:
    if (folder / path).exists():
        return True
    tail = path.rstrip("/")
    return any(str(p).endswith("/" + tail) for p in folder.rglob(Path(tail).name))


def test_every_path_in_the_layout_block_exists() -> None:
    paths = _layout_paths()
    assert ("", "smartdoor/") in paths
    assert ("tests/", "events/") in paths
    missing = [(top, p) for top, p in paths if not (_exists_under(ROOT / top, p) or (ROOT / p).exists())]
    assert missing == []


def test_scripts_run_installs_what_the_local_walkthrough_runs() -> None:
    # Trying it and the device walkthrough run serve, replay, enroll and device from the venv scripts/run
    # makes; the device needs httpx, which only the `device` extra brings.
    setup = re.search(r"^scripts/setup (\S+)$", (ROOT / "scripts" / "run").read_text(), flags=re.MULTILINE)
    assert setup is not None
    assert set(setup[1].split(",")) >= {"local", "vision", "device"}


def test_the_local_interfaces_table_names_every_fixed_route() -> None:
    from smartdoor.server.routes import routes

    section = README.read_text().split("## Local interfaces", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(?:(?:GET|POST) )?(/[\w./-]*)", section))
    fixed = {r.path for r in routes() if "{" not in r.path} | {"/graphql"}
    assert fixed - named == set()


def test_every_lambda_handler_the_readme_names_is_one_the_cdk_app_deploys() -> None:
    named = set(re.findall(r"`((?:resolvers|stream_handler)(?:\.\w+)*\.handler)`", README.read_text()))
    cdk_source = "".join(p.read_text() for p in (ROOT / "cdk" / "smartdoor_cdk").glob("*.py"))
    deployed = set(re.findall(r'handler="([\w.]+)"', cdk_source))
    assert len(named) >= 5
    assert named - deployed == set()
    for handler in named:
        module = handler.rsplit(".", 1)[0].replace(".", "/")
        assert (ROOT / f"{module}.py").is_file() or (ROOT / module / "__init__.py").is_file(), handler
