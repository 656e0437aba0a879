"""The Lambda assets, built without Docker: folders for ``lambda_.Code.from_asset(lambda_asset(name))``.

An asset holds its function package, the smartdoor modules a Lambda may import (not the local server, the
camera, the SQLite adapters or the in-memory fakes) and the third-party wheels of the ``aws`` extra, installed
for Lambda's platform by ``pip install --target``. boto3, botocore and s3transfer are left out: the runtime
has them, and they are 20 MB of the 50 MB a zipped asset may weigh.

Runtime: python3.12 on x86_64. Pillow 13 publishes manylinux_2_28 wheels only, and python3.11 runs on Amazon
Linux 2 (glibc 2.26), where they do not load; python3.12 runs on Amazon Linux 2023 (glibc 2.34) and is
supported two years longer. x86_64 because the same wheels, built for 3.11, load on this x86_64 machine:
the tests import the 3.11 build of each asset (same files, cp311 binaries) in a clean venv, as no 3.12 is
installed here.

The same inputs give the same bytes (sorted copies, no bytecode, no console scripts), so CDK's asset hash is
stable; a build is skipped when a hash of its inputs matches the last one, and the wheels are cached apart,
per Python version and requirement set, so a changed source file does not reinstall them.

    python -m smartdoor_cdk.lambda_assets --out build/lambda [--python 3.11] [--zip]   (cdk/ on the path)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAMBDA_PYTHON = "3.12"
ARCHITECTURE = "x86_64"
# Amazon Linux 2023's glibc is 2.34; pip also takes wheels tagged for any older manylinux.
PLATFORM = "manylinux_2_28_x86_64"
HANDLERS = {"resolvers": "resolvers.app.handler", "stream_handler": "stream_handler.handler"}
# Already in every Python Lambda runtime, and pinned there by AWS: a packaged copy would only shadow it.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})
# The smartdoor subpackages a Lambda never imports (tests/lambda_imports.py holds the import-side rule).
LEFT_OUT = ("smartdoor/server", "smartdoor/vision", "smartdoor/adapters/local", "smartdoor/adapters/memory")
# Pillow's optional codecs and the libraries only they load: the door reads and writes JPEG and PNG (both in
# _imaging), never AVIF, WebP, fonts or colour profiles, and these are 9 of the wheel's 20 MB. Image.open
# loads such plugins only when a file is none of the common formats, and skips any that fails to import.
# Cython sources are left out too: only their compiled modules run.
PRUNED = (
    "PIL/_avif.*",
    "PIL/_webp.*",
    "PIL/_imagingft.*",
    "PIL/_imagingcms.*",
    "PIL/_imagingtk.*",
    "pillow.libs/libavif-*",
    "pillow.libs/libwebp*",
    "pillow.libs/libsharpyuv-*",
    "pillow.libs/libfreetype-*",
    "pillow.libs/libharfbuzz-*",
    "pillow.libs/libbrotli*",
    "pillow.libs/libpng16-*",
    "pillow.libs/liblcms2-*",
    "**/*.pyx",
    "**/*.pxd",
    "**/*.c",
    "**/*.h",
)
DEFAULT_OUT = REPO / "build" / "lambda"
# Bumped when the way an asset is laid out changes, so that old caches are not taken for new builds.
_LAYOUT = "2"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def lambda_asset(name: str, out: Path = DEFAULT_OUT, python: str = LAMBDA_PYTHON) -> Path:
    """The folder of function ``name`` (a key of HANDLERS) for ``python``, built unless already up to date."""
    if name not in HANDLERS:
        raise ValueError(f"no Lambda named {name!r}: one of {sorted(HANDLERS)}")
    deps = wheels(python)
    sources = sorted(_sources(name))
    key = _digest([deps.name, *(f"{rel}\0{_file_digest(REPO / rel)}" for rel in sources)])
    target = out / f"{name}-py{python}"
    stamp = out / f"{name}-py{python}.inputs"
    if target.is_dir() and stamp.is_file() and stamp.read_text() == key:
        return target
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=out))
    try:
        shutil.copytree(deps, staging, dirs_exist_ok=True, copy_function=shutil.copyfile)
        for rel in sources:
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / rel, staging / rel)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    stamp.write_text(key)
    return target


def requirements() -> list[str]:
    """The core's dependencies and the ``aws`` extra, as pyproject.toml pins them, minus the runtime's own."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["aws"]]
    return sorted(r for r in wanted if _name(r) not in RUNTIME_PROVIDED)


def wheels(python: str = LAMBDA_PYTHON) -> Path:
    """A cached folder holding the third-party packages for ``python``, installed for Lambda's platform.

    Resolved first, then installed one exact pin at a time without dependencies, so that nothing a package
    pulls in (gql's botocore extra, say) can bring the runtime's packages back."""
    wanted = requirements()
    folder = cache_root() / f"wheels-{_digest([_LAYOUT, python, PLATFORM, *wanted, *PRUNED])}"
    if folder.is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".wheels-", dir=folder.parent))
    try:
        report = staging / "report.json"
        _pip(["--dry-run", "--report", str(report), "--target", str(staging / "dry"), *wanted], python)
        pins = sorted(
            f"{item['metadata']['name']}=={item['metadata']['version']}"
            for item in json.loads(report.read_text())["install"]
            if _name(item["metadata"]["name"]) not in RUNTIME_PROVIDED
        )
        site = staging / "site"
        _pip(["--no-deps", "--no-compile", "--target", str(site), *pins], python)
        # Console scripts carry this machine's interpreter path in their first line, and no Lambda runs them.
        shutil.rmtree(site / "bin", ignore_errors=True)
        for pattern in PRUNED:
            for path in site.glob(pattern):
                path.unlink()
        for cache in sorted(site.rglob("__pycache__"), reverse=True):
            shutil.rmtree(cache)
        site.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def zip_asset(folder: Path, archive: Path) -> int:
    """Zip ``folder`` the same way every time (sorted names, fixed times and modes); its size in bytes."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), _FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(info, path.read_bytes(), compresslevel=9)
    return archive.stat().st_size


def _sources(name: str) -> Iterator[str]:
    for package in (name, "smartdoor"):
        for path in (REPO / package).rglob("*.py"):
            rel = path.relative_to(REPO).as_posix()
            if "__pycache__" not in rel and not rel.startswith(LEFT_OUT):
                yield rel


def _pip(args: list[str], python: str) -> None:
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--platform", PLATFORM, "--only-binary=:all:", "--implementation", "cp"]
    command += ["--python-version", python, *args]
    # Every argument comes from this module or pyproject.toml, never from a caller outside the repository.
    subprocess.run(command, check=True, timeout=600, stdin=subprocess.DEVNULL)  # noqa: S603


def cache_root() -> Path:
    """Where the wheels and the clean venv of the tests are kept between builds."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "smartdoor" / "lambda"


def _name(requirement: str) -> str:
    """The normalised project name of a requirement string (``gql[aiohttp]>=4`` → ``gql``)."""
    end = len(requirement)
    for mark in "[<>=!~; ":
        found = requirement.find(mark)
        if found != -1:
            end = min(end, found)
    return requirement[:end].lower().replace("_", "-").replace(".", "-")


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Lambda assets (folders, optionally zipped).")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--python", default=LAMBDA_PYTHON)
    parser.add_argument("--zip", action="store_true", help="also write NAME-pyX.Y.zip and print its size")
    parser.add_argument("names", nargs="*", default=sorted(HANDLERS))
    args = parser.parse_args(argv)
    for name in args.names:
        started = time.monotonic()
        folder = lambda_asset(name, args.out, args.python)
        line = f"{name}: {folder} ({time.monotonic() - started:.1f} s)"
        if args.zip:
            size = zip_asset(folder, folder.parent / f"{folder.name}.zip")
            line += f", {size / 1e6:.2f} MB zipped"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
