"""The Lambda assets as the CDK app ships them: what they hold, what they weigh, that they are the same bytes
for the same inputs, and that each handler imports and answers an event in a clean Lambda-like interpreter.

The first run downloads the wheels (about 15 s); later runs take them from the user cache."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from smartdoor_cdk import lambda_assets
from smartdoor_cdk.lambda_assets import HANDLERS, LAMBDA_PYTHON, lambda_asset, zip_asset
from tests.lambda_imports import REPO, forbidden_in
from tests.lambda_venv import clean_venv, run_in_lambda_python

pytestmark = pytest.mark.cdk

# The Python of this machine, which the clean-venv import test runs: the same files, built with cp311 wheels.
HERE_PYTHON = "3.11"
NAMES = sorted(HANDLERS)
MAX_ZIPPED = 10_000_000
FORBIDDEN_TOP = {
    "numpy",
    "cv2",
    "dlib",
    "strawberry",
    "uvicorn",
    "starlette",
    "boto3",
    "botocore",
    "s3transfer",
}
LEFT_OUT = ("smartdoor/server", "smartdoor/vision", "smartdoor/adapters/local", "smartdoor/adapters/memory")
# The event each handler answers without AWS: with no settings, the Door cannot be built, and each handler
# reports that failure its own way (an INTERNAL error; every record in batchItemFailures).
EVENTS = {
    "resolvers": "tests/events/appsync/Query.sighting.api_key.json",
    "stream_handler": "tests/events/kinesis_event_with_poison.json",
}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lambda")


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("python", [LAMBDA_PYTHON, HERE_PYTHON])
@pytest.mark.parametrize("name", NAMES)
def test_an_asset_holds_only_what_a_lambda_may_import(out: Path, name: str, python: str) -> None:
    asset = lambda_asset(name, out, python)
    top = {p.name.split(".")[0] for p in asset.iterdir()}
    assert name in top
    assert top & FORBIDDEN_TOP == set()
    assert not any((asset / part).exists() for part in LEFT_OUT)
    assert not list(asset.rglob("__pycache__"))
    assert not (asset / "bin").exists()
    ours = [p for package in (name, "smartdoor") for p in (asset / package).rglob("*.py")]
    assert [p for p in ours if re.search(r"^\s*(import|from) sqlite3", p.read_text(), re.MULTILINE)] == []


@pytest.mark.parametrize("name", NAMES)
def test_a_zipped_asset_weighs_at_most_10_mb(out: Path, name: str) -> None:
    asset = lambda_asset(name, out)
    size = zip_asset(asset, out / f"{name}.zip")
    print(f"{name} (python {LAMBDA_PYTHON}): {size / 1e6:.2f} MB zipped")
    assert size <= MAX_ZIPPED


def test_the_same_inputs_give_the_same_bytes_without_installing_again(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = lambda_asset("stream_handler", out)

    # GIVEN a cache that already holds the wheels: pip must not run again
    def no_pip(args: list[str], python: str) -> None:
        raise AssertionError(f"pip ran again: {args}")

    monkeypatch.setattr(lambda_assets, "_pip", no_pip)
    second = lambda_asset("stream_handler", tmp_path / "again")

    assert second != first
    assert tree_digest(second) == tree_digest(first)
    assert zip_asset(first, tmp_path / "a.zip") == zip_asset(second, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


def test_a_changed_source_file_rebuilds_the_asset(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = lambda_asset("resolvers", out)
    # GIVEN a copy of the repository in which one resolver module changes
    repo = tmp_path / "repo"
    for path in [
        REPO / "pyproject.toml",
        *(p for d in ("resolvers", "smartdoor") for p in (REPO / d).rglob("*.py")),
    ]:
        copy = repo / path.relative_to(REPO)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(path.read_bytes())
    monkeypatch.setattr(lambda_assets, "REPO", repo)
    (repo / "resolvers" / "app.py").write_text((repo / "resolvers" / "app.py").read_text() + "\n# changed\n")

    rebuilt = lambda_asset("resolvers", out)

    assert rebuilt == built
    assert (rebuilt / "resolvers" / "app.py").read_text().endswith("# changed\n")


def test_the_deployed_and_tested_builds_hold_the_same_files(out: Path) -> None:
    def files(python: str) -> list[str]:
        asset = lambda_asset("resolvers", out, python)
        tag = python.replace(".", "")
        return sorted(
            p.relative_to(asset).as_posix().replace(f"cpython-{tag}", "cpython-X").replace(f"cp{tag}", "cpX")
            for p in asset.rglob("*")
            if p.is_file()
        )

    assert files(LAMBDA_PYTHON) == files(HERE_PYTHON)


@pytest.mark.parametrize("name", NAMES)
def test_a_handler_answers_an_event_in_a_clean_lambda_python(out: Path, name: str) -> None:
    asset = lambda_asset(name, out, HERE_PYTHON)
    smoke = (Path(__file__).parent / "lambda_smoke.py").read_text()

    done = run_in_lambda_python(
        clean_venv(), asset, ["-c", smoke, HANDLERS[name].rsplit(".", 1)[0], str(REPO / EVENTS[name])]
    )

    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    if name == "resolvers":
        # A fault answers as the error envelope that the response template turns into errorType.
        assert outcome["answer"]["smartdoorError"]["type"] == "INTERNAL"
    else:
        failed = [f["itemIdentifier"] for f in outcome["answer"]["batchItemFailures"]]
        records = json.loads((REPO / EVENTS[name]).read_text())["Records"]
        assert failed == [r["kinesis"]["sequenceNumber"] for r in records]
    assert outcome["crops"] == {"JPEG": "ffd8", "PNG": "ffd8"}
    assert not outcome["boto3"].startswith(str(asset))
    assert forbidden_in(outcome["loaded"]) == []
    assert not list(asset.rglob("__pycache__"))
