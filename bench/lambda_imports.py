"""How long each Lambda handler takes to import (the part of a cold start that is ours), in a clean venv
holding only boto3 with the handler's asset (its python3.11 build) first on the path, as /var/task is.

    .venv/bin/python bench/lambda_imports.py [--runs 20] [--output bench/results/lambda_imports.json]

Each sample is a fresh interpreter (``python -X importtime -c "import <handler module>"``), no bytecode
written. These ways, in the same run, samples interleaved so that none always meets a busier machine:

- shipped: the asset as built (no .pyc: Lambda's /var/task is read-only, so what it imports is compiled at
  every cold start);
- shipped+pyc: the same files compiled beforehand (unchecked-hash .pyc), to show how much of it compiling is;
- before-fix (resolvers only): shipped plus the libphonenumber import the handler made until it was
  deferred to the first number parsed, i.e. the handler as it was before that fix;
- eager (the naive baseline): the same asset, but the handler module also imports the Door's wiring and
  every AWS adapter at import time, as a handler that built its Door at module level would. The shipped
  handler defers that to the first request (smartdoor/edges/lambda_door.py), so a container that is only
  started, or only answers events that need no Door, never pays it; the eager row shows what that saves.

See bench/README.md.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for entry in (ROOT, ROOT / "cdk"):  # runnable from any folder, without installing the package
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from smartdoor_cdk.lambda_assets import HANDLERS, lambda_asset  # noqa: E402
from tests.lambda_venv import clean_venv, lambda_env  # noqa: E402

HERE_PYTHON = "3.11"
TARGET_MS = 300.0
# Everything build_aws imports when the first request builds the Door.
EAGER = "import smartdoor.bootstrap, " + ", ".join(
    f"smartdoor.adapters.aws.{m}"
    for m in (
        "appsync_publisher",
        "dynamo_claims",
        "dynamo_events",
        "dynamo_face_owners",
        "dynamo_limits",
        "dynamo_new_sightings",
        "dynamo_outbox",
        "dynamo_passcodes",
        "dynamo_registrations",
        "dynamo_sightings",
        "dynamo_visitors",
        "face_crop",
        "kinesis_video_frames",
        "rekognition_faces",
        "s3_photos",
        "secret_key",
    )
)
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


def sample(python: Path, asset: Path, code: str, skip: int = 0) -> dict[str, Any]:
    """One fresh interpreter: its wall time, and -X importtime's cumulative time of the code's imports
    (the first ``skip`` lines are the interpreter's own start-up, the same in every run of one set-up)."""
    with tempfile.TemporaryDirectory(prefix="lambda-cwd-") as cwd:
        started = time.perf_counter()
        done = subprocess.run(
            [str(python), "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            cwd=cwd,
            env=lambda_env(asset),
        )
        wall_ms = (time.perf_counter() - started) * 1000
    lines = [m for m in map(_LINE.match, done.stderr.splitlines()) if m]
    own_us, selfs = 0, {}
    for match in lines[skip:]:
        selfs[match[4]] = int(match[1])
        if len(match[3]) == 1:  # a top-level import of the code: its cumulative time holds its children's
            own_us += int(match[2])
    return {"wall_ms": wall_ms, "import_ms": own_us / 1000, "selfs": selfs, "lines": len(lines)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def run(runs: int) -> dict[str, Any]:
    python = clean_venv()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="lambda-bench-") as scratch:
        for name, handler in sorted(HANDLERS.items()):
            asset = lambda_asset(name, Path(scratch) / "out", HERE_PYTHON)
            compiled = Path(scratch) / f"{name}-pyc"
            shutil.copytree(asset, compiled)
            compileall.compile_dir(
                compiled,
                quiet=1,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
            module = handler.rsplit(".", 1)[0]
            ways = {
                "shipped": (asset, f"import {module}"),
                "shipped+pyc": (compiled, f"import {module}"),
                "eager": (asset, f"import {module}; {EAGER}"),
            }
            if name == "resolvers":
                # The resolvers imported libphonenumber at import time until it moved into the functions
                # that parse numbers (smartdoor/domain/visitor_details.py): that import, first, is "before".
                ways["before-fix"] = (asset, f"import phonenumbers; import {module}")
            samples: dict[str, list[dict[str, Any]]] = {way: [] for way in ways}
            startup = {way: sample(python, folder, "pass")["lines"] for way, (folder, _) in ways.items()}
            for _ in range(runs):
                for way, (folder, code) in ways.items():
                    samples[way].append(sample(python, folder, code, startup[way]))
            results[name] = {way: summary(found) for way, found in samples.items()}
    return results


def summary(found: list[dict[str, Any]]) -> dict[str, Any]:
    walls = [s["wall_ms"] for s in found]
    imports = [s["import_ms"] for s in found]
    slowest: dict[str, float] = {}
    for s in found:
        for module, self_us in s["selfs"].items():
            slowest[module] = slowest.get(module, 0.0) + self_us / 1000 / len(found)
    top = sorted(slowest.items(), key=lambda item: -item[1])[:8]
    return {
        "runs": len(found),
        "import_ms": {"p50": percentile(imports, 0.5), "p95": percentile(imports, 0.95)},
        "wall_ms": {"p50": percentile(walls, 0.5), "p95": percentile(walls, 0.95)},
        "slowest_self_ms": [[module, round(ms, 1)] for module, ms in top],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "lambda_imports.json")
    args = parser.parse_args()
    load_before = os.getloadavg()
    results = run(args.runs)
    load_after = os.getloadavg()
    print(f"{'handler':<16}{'way':<13}{'import p50':>11}{'p95':>8}{'wall p50':>10}{'p95':>8}  (ms)")
    for name, ways in results.items():
        for way, figures in ways.items():
            i, w = figures["import_ms"], figures["wall_ms"]
            print(f"{name:<16}{way:<13}{i['p50']:>11.0f}{i['p95']:>8.0f}{w['p50']:>10.0f}{w['p95']:>8.0f}")
    worst = max(ways["shipped"]["wall_ms"]["p95"] for ways in results.values())
    print(f"target: shipped wall p95 <= {TARGET_MS:.0f} ms; worst {worst:.0f} ms")
    document = {
        "results": results,
        "target_ms": TARGET_MS,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in load_after],
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2) + "\n")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
