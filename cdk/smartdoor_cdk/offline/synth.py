"""The CDK app synthesised for the cloud build, cached by its inputs.

A synth imports aws-cdk-lib through jsii (a node process) and checks cdk-nag: seconds each time. The
template depends only on the app's sources and the context, so a template is kept under a hash of both and
reused while none changed. The synth runs in a child process: the jsii runtime stays out of the caller.

    python -m smartdoor_cdk.offline.synth --out DIR [--context name=value ...]   (prints the template path)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
STACK = "SmartDoor"
# What the template is made of: the app, the door's code its Lambda assets hold, the schema, the pages.
INPUTS = ("cdk/app.py", "cdk/smartdoor_cdk", "smartdoor", "resolvers", "stream_handler", "frontend")
INPUT_FILES = ("schema.graphql", "pyproject.toml")
SKIPPED_PARTS = frozenset({"node_modules", "__pycache__", "tests"})
SYNTH_SECONDS = 600.0  # the first synth also builds the Lambda assets' wheels
KEPT = 2  # cached templates kept: each holds copies of the Lambda assets (tens of MB)


class SynthFailed(RuntimeError):
    """The CDK app did not synthesise."""


def inputs_hash(context: Mapping[str, str], root: Path = ROOT) -> str:
    digest = hashlib.sha256(json.dumps(dict(sorted(context.items()))).encode())
    files = [root / name for name in INPUT_FILES]
    for folder in INPUTS:
        path = root / folder
        files += [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for path in files:
        if SKIPPED_PARTS.isdisjoint(path.relative_to(root).parts) and path.suffix not in {".pyc"}:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def synthesised(context: Mapping[str, str], cache: Path) -> Path:
    """The template for ``context``, synthesised into ``cache/cdk.out-<hash>`` unless already there."""
    outdir = cache / f"cdk.out-{inputs_hash(context)}"
    template = outdir / f"{STACK}.template.json"
    if template.is_file():
        return template
    command = [sys.executable, "-m", "smartdoor_cdk.offline.synth", "--out", str(outdir)]
    for name, value in context.items():
        command += ["--context", f"{name}={value}"]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "cdk"), str(ROOT)]),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    done = subprocess.run(  # noqa: S603  # this interpreter and this module, never caller text
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=SYNTH_SECONDS, check=False
    )
    if done.returncode != 0 or not template.is_file():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise SynthFailed(f"the CDK app did not synthesise: {tail[0]}")
    prune(cache, keep=outdir)
    return template


def prune(cache: Path, keep: Path, kept: int = KEPT) -> None:
    """Remove all but the ``kept`` newest synthesised folders of ``cache`` (``keep`` always stays)."""
    folders = sorted(cache.glob("cdk.out-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    others = [f for f in folders if f != keep]
    for old in others[kept - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--context", action="append", default=[])
    args = parser.parse_args(argv)
    context = dict(item.split("=", 1) for item in args.context)
    import app as entry  # cdk/app.py
    import aws_cdk as cdk

    application = cdk.App(outdir=args.out, context=context)
    entry.build(application)
    assembly = application.synth()
    print(Path(assembly.directory) / assembly.get_stack_by_name(STACK).template_file)


if __name__ == "__main__":
    main()
