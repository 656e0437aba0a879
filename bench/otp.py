"""Door throughput: validateOtp requests/s and latency over HTTP, our server against the naive one.

    .venv/bin/python bench/otp.py [--requests N] [--concurrency 1,16,64]
                                  [--output bench/results/otp.json] [--plot docs/bench/otp.png]

Each server (ours: `smartdoor serve`; naive: bench/naive_app.py, the same app without strawberry's parse and
validation caches) gets its own temporary data folder, seeded beforehand with one visitor and one distinct,
valid passcode per request (codes are single-use and wrong ones lock the client out). Both servers then run
as subprocesses on 127.0.0.1 and the levels are measured alternately, in the same run. Every request must be
granted; anything else is counted as a failure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field, fields
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import aiohttp

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:  # runnable from any folder, without installing the package
    sys.path.insert(0, str(ROOT))

MUTATION = "mutation($otp: String!) { validateOtp(otp: $otp) { granted message visitorName } }"
CODE_LIFETIME = timedelta(minutes=5)  # the longest a passcode may live: the whole run must fit in it
LIFETIME_MARGIN_S = 20.0  # stop measuring this long before the codes expire
SERVERS = ("ours", "ours-2w", "naive")  # ours-2w: `smartdoor serve --workers 2`
TARGET = {"concurrency": 64, "min_rps": 1500.0, "max_p99_ms": 50.0}


@dataclass
class Phase:
    """One measured level of one server."""

    server: str
    concurrency: int
    planned: int
    sent: int = 0
    ok: int = 0
    failures: int = 0
    failure_samples: list[str] = field(default_factory=list)
    truncated: bool = False
    elapsed_s: float = 0.0
    rps: float = 0.0
    p50_ms: float = math.nan
    p90_ms: float = math.nan
    p99_ms: float = math.nan
    max_ms: float = math.nan
    mean_ms: float = math.nan
    server_cpu_ms_per_req: float | None = None
    client_cpu_ms_per_req: float | None = None


@dataclass
class Server:
    name: str
    data_dir: Path
    codes: list[str]
    expires_at: float  # time.monotonic() when the seeded codes stop working
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    url: str = ""


# ---------------------------------------------------------------------------------------------- set-up


def seed(data_dir: Path, count: int) -> tuple[list[str], float]:
    """One visitor and `count` distinct live passcodes for it, written straight into the data folder."""
    from smartdoor.bootstrap import build_local
    from smartdoor.config import Settings
    from smartdoor.domain.model import Visitor
    from smartdoor.domain.passcodes import new_passcode

    if count > 500_000:
        raise SystemExit("at most 500,000 codes per server (six digits, and they must be distinct)")
    local = build_local(Settings(data_dir=data_dir))
    started = time.monotonic()
    try:
        door = local.door
        now = door.clock.now()
        visitor = Visitor(
            id=str(uuid.uuid4()),
            face_id=str(uuid.uuid4()),
            name="Bench Visitor",
            phone_number="+15555550100",
            photos=(),
            created_at=now,
        )
        door.visitors.add(visitor)
        codes = [f"{n:06d}" for n in random.sample(range(10**6), count)]
        for code in codes:
            door.passcodes.add(new_passcode(code, door.secret_key, visitor.id, now, CODE_LIFETIME), now)
    finally:
        local.close()
    return codes, started + CODE_LIFETIME.total_seconds()


def child_env() -> dict[str, str]:
    # The user's SMARTDOOR_* settings (SMTP, lock-out...) must not change the benchmark; --log-level may.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTDOOR_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start(server: Server, workdir: Path, log_level: str) -> None:
    common = ["--host", "127.0.0.1", "--port", "0", "--data-dir", str(server.data_dir)]
    if server.name == "ours":
        command = [sys.executable, "-m", "smartdoor.server.cli", "serve", *common]
    elif server.name == "ours-2w":
        command = [sys.executable, "-m", "smartdoor.server.cli", "serve", "--workers", "2", *common]
    else:
        command = [sys.executable, str(BENCH / "naive_app.py"), *common]
    env = child_env()
    env["SMARTDOOR_LOG_LEVEL"] = log_level
    server.log = workdir / f"{server.name}.log"
    with server.log.open("wb") as log:
        # Output goes to a file, never a pipe nobody reads (a full pipe would stall the server).
        # Own session: a Ctrl-C reaches only this runner, which then stops the servers itself.
        server.process = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def log_tail(server: Server, lines: int = 20) -> str:
    if server.log is None or not server.log.exists():
        return ""
    return "\n".join(server.log.read_text(errors="replace").splitlines()[-lines:])


async def wait_ready(server: Server, timeout_s: float = 60.0) -> None:
    """The banner names the URL; then wait until /graphql answers."""
    assert server.process is not None
    assert server.log is not None
    deadline = time.monotonic() + timeout_s
    while not server.url:
        for line in server.log.read_text(errors="replace").splitlines():
            if "GraphQL:" in line:
                server.url = line.split("GraphQL:", 1)[1].strip()
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} server exited ({server.process.returncode}):\n{log_tail(server)}"
            )
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{server.name} server printed no URL in {timeout_s:.0f} s:\n{log_tail(server)}"
            )
        await asyncio.sleep(0.1)
    if not server.url.startswith("http://127.0.0.1:"):
        raise RuntimeError(f"refusing to benchmark a non-local URL: {server.url}")
    timeout = aiohttp.ClientTimeout(total=2)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while True:
            with suppress(aiohttp.ClientError, TimeoutError):
                async with session.post(server.url, json={"query": "{ __typename }"}) as response:
                    if response.status == 200:
                        return
            if server.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{server.name} server does not answer:\n{log_tail(server)}")
            await asyncio.sleep(0.1)


def stop(server: Server) -> None:
    process = server.process
    if process is None or process.poll() is not None:
        return
    process.terminate()  # uvicorn shuts down cleanly on SIGTERM
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """So `kill` of the runner still runs the finally blocks that stop the servers."""

    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# ---------------------------------------------------------------------------------------------- measuring


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process and its live children (server workers), from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += cpu_seconds(int(child)) or 0.0
        return total
    except (OSError, IndexError, ValueError):
        return None


def percentile(ordered: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


async def run_phase(
    session: aiohttp.ClientSession,
    url: str,
    codes: list[str],
    concurrency: int,
    deadline: float,
    phase: Phase | None,
) -> list[float]:
    """Send one validateOtp per code with `concurrency` clients; latencies (s) of the answered requests."""
    bodies = iter([json.dumps({"query": MUTATION, "variables": {"otp": c}}).encode() for c in codes])
    headers = {"content-type": "application/json"}
    latencies: list[float] = []
    sent = failures = 0
    samples: list[str] = []
    stopped_early = False

    def fail(reason: str) -> None:
        nonlocal failures
        failures += 1
        if len(samples) < 5:
            samples.append(reason)

    async def client() -> None:
        nonlocal sent, stopped_early
        for body in bodies:  # one shared iterator: each code is sent exactly once
            if time.monotonic() > deadline:
                stopped_early = True
                return
            sent += 1
            began = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    payload = await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                fail(f"{type(exc).__name__}: {exc}"[:200])
                continue
            latencies.append(time.perf_counter() - began)
            try:
                result = json.loads(payload)["data"]["validateOtp"]
            except (ValueError, KeyError, TypeError):
                fail(f"HTTP {status}: {payload[:150]!r}")
                continue
            if result.get("granted") is not True:
                fail(f"not granted: {result.get('message')!r}")

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    if phase is not None:
        phase.sent, phase.failures, phase.failure_samples = sent, failures, samples
        phase.ok = sent - failures
        phase.truncated = stopped_early
        phase.elapsed_s = elapsed
        phase.rps = phase.ok / elapsed if elapsed > 0 else 0.0
        ordered = sorted(latencies)
        phase.p50_ms, phase.p90_ms, phase.p99_ms, phase.max_ms = (
            percentile(ordered, p) * 1000 for p in (50, 90, 99, 100)
        )
        phase.mean_ms = sum(ordered) / len(ordered) * 1000 if ordered else math.nan
    return latencies


async def measure(
    server: Server,
    concurrency: int,
    count: int,
    warmup: int,
    level_timeout_s: float,
    request_timeout_s: float,
) -> Phase:
    """A fresh session limited to `concurrency` keep-alive connections: warm it up, then measure."""
    assert server.process is not None
    phase = Phase(server.name, concurrency, count)
    warm_codes, server.codes = server.codes[:warmup], server.codes[warmup:]
    codes, server.codes = server.codes[:count], server.codes[count:]
    deadline = min(time.monotonic() + level_timeout_s, server.expires_at - LIFETIME_MARGIN_S)
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=request_timeout_s)
    async with (
        aiohttp.ClientSession(connector=connector, timeout=timeout) as session,
        # A hard stop even if something hangs: the deadline plus one request timeout and a little slack.
        asyncio.timeout(max(0.0, deadline - time.monotonic()) + request_timeout_s + 5),
    ):
        warm = Phase(server.name, concurrency, warmup)
        await run_phase(session, server.url, warm_codes, concurrency, deadline, warm)
        if warm.failures:
            print(f"  warning: {warm.failures} warm-up failures on {server.name}: {warm.failure_samples[:2]}")
        server_cpu, client_cpu = cpu_seconds(server.process.pid), time.process_time()
        await run_phase(session, server.url, codes, concurrency, deadline, phase)
        server_used = cpu_seconds(server.process.pid)
        client_used = time.process_time() - client_cpu
    if phase.sent:
        if server_cpu is not None and server_used is not None:
            phase.server_cpu_ms_per_req = (server_used - server_cpu) / phase.sent * 1000
        phase.client_cpu_ms_per_req = client_used / phase.sent * 1000
    return phase


# ---------------------------------------------------------------------------------------------- reporting


def table(phases: Sequence[Phase]) -> str:
    head = (
        f"{'concurrency':>11}  {'server':<6}  {'req/s':>7}  {'p50 ms':>7}  {'p99 ms':>7}  {'failures':>8}"
        f"  {'requests':>8}  {'srv CPU ms/req':>14}"
    )
    lines = [head, "-" * len(head)]
    for p in phases:
        cpu = f"{p.server_cpu_ms_per_req:.2f}" if p.server_cpu_ms_per_req is not None else "-"
        note = " (stopped at deadline)" if p.truncated else ""
        lines.append(
            f"{p.concurrency:>11}  {p.server:<6}  {p.rps:>7.0f}  {p.p50_ms:>7.1f}  {p.p99_ms:>7.1f}"
            f"  {p.failures:>8}  {p.sent:>8}  {cpu:>14}{note}"
        )
    return "\n".join(lines)


def no_nan(value: Any) -> Any:
    """JSON has no NaN: an empty level's percentiles become null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [no_nan(v) for v in value]
    return value


def machine() -> dict[str, Any]:
    cpu_model = ""
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for package in (
        "strawberry-graphql",
        "graphql-core",
        "starlette",
        "uvicorn",
        "uvloop",
        "httptools",
        "aiohttp",
    ):
        with suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    return {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": cpu_model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
    }


def plot(phases: Sequence[Phase], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = sorted({p.concurrency for p in phases})
    by = {(p.server, p.concurrency): p for p in phases}
    colours = {"ours": "#1f77b4", "ours-2w": "#2ca02c", "naive": "#ff7f0e"}
    labels = {
        "ours": "ours (parse + validation caches)",
        "ours-2w": "ours, --workers 2",
        "naive": "naive (no caches)",
    }
    fig, (ax_rps, ax_p99) = plt.subplots(1, 2, figsize=(11, 4.2))
    names = [name for name in SERVERS if any(p.server == name for p in phases)]
    width = 0.8 / len(names)
    xs = range(len(levels))
    for i, name in enumerate(names):
        offsets = [x + (i - (len(names) - 1) / 2) * width for x in xs]
        rps = [by[(name, c)].rps if (name, c) in by else 0 for c in levels]
        p99 = [by[(name, c)].p99_ms if (name, c) in by else math.nan for c in levels]
        bars = ax_rps.bar(offsets, rps, width, label=labels[name], color=colours[name])
        ax_rps.bar_label(bars, fmt="%.0f", fontsize=8)
        bars = ax_p99.bar(offsets, p99, width, label=labels[name], color=colours[name])
        ax_p99.bar_label(bars, fmt="%.1f", fontsize=8)
    ax_rps.axhline(
        TARGET["min_rps"], color="green", linestyle="--", linewidth=1, label="target ≥ 1,500 req/s @ 64"
    )
    ax_p99.axhline(
        TARGET["max_p99_ms"], color="red", linestyle="--", linewidth=1, label="target p99 ≤ 50 ms @ 64"
    )
    for ax, title, unit in ((ax_rps, "Throughput", "requests/s"), (ax_p99, "p99 latency", "ms")):
        ax.set_xticks(list(xs), [str(c) for c in levels])
        ax.set_xlabel("concurrent clients")
        ax.set_ylabel(unit)
        ax.set_title(f"validateOtp — {title}")
        ax.legend(fontsize=8, loc="upper left")
        ax.grid(axis="y", alpha=0.3)
    # Headroom above the bars and the target lines, so the legends cover neither.
    top_rps = max([p.rps for p in phases] + [TARGET["min_rps"]])
    ax_rps.set_ylim(0, top_rps * 1.6)
    ax_p99.set_yscale("log")
    top_p99 = max([p.p99_ms for p in phases if not math.isnan(p.p99_ms)] + [TARGET["max_p99_ms"]])
    ax_p99.set_ylim(top=top_p99 * 12)
    fig.suptitle(
        f"Smart Door local server, 127.0.0.1, {os.cpu_count()} CPUs shared by client and server", fontsize=10
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, help="measured requests per level and server (default 1000 at 1, 3000 above)"
    )
    parser.add_argument("--concurrency", default="1,16,64", help="comma-separated client counts")
    parser.add_argument(
        "--servers", default=",".join(SERVERS), help=f"which servers to run ({', '.join(SERVERS)})"
    )
    parser.add_argument("--warmup", type=int, default=300, help="requests per server before the first level")
    parser.add_argument(
        "--level-timeout", type=float, default=60.0, help="hard stop per level and server (s)"
    )
    parser.add_argument("--request-timeout", type=float, default=10.0, help="per-request timeout (s)")
    parser.add_argument(
        "--log-level", default="INFO", help="the servers' log level (default INFO, as shipped)"
    )
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "otp.json", help="JSON results")
    parser.add_argument(
        "--plot", type=Path, default=ROOT / "docs" / "bench" / "otp.png", help="PNG plot ('' for none)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folders and server logs")
    parser.add_argument(
        "--replot", action="store_true", help="only redraw --plot from the results in --output"
    )
    args = parser.parse_args(argv)
    try:
        args.levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    except ValueError:
        parser.error("--concurrency takes numbers, e.g. 1,16,64")
    if not args.levels or min(args.levels) < 1:
        parser.error("--concurrency needs at least one level ≥ 1")
    args.server_names = [s.strip() for s in args.servers.split(",") if s.strip()]
    if not args.server_names or set(args.server_names) - set(SERVERS):
        parser.error(f"--servers takes {', '.join(SERVERS)}")
    if args.requests is not None and args.requests < 1:
        parser.error("--requests must be at least 1")
    return args


def level_plan(args: argparse.Namespace) -> list[tuple[int, int, int]]:
    """(concurrency, measured requests, warm-up requests) per level."""
    plan = []
    for c in args.levels:
        count = args.requests if args.requests is not None else (1000 if c == 1 else 3000)
        plan.append((c, count, max(20, 2 * c)))
    return plan


async def run(args: argparse.Namespace, servers: list[Server], workdir: Path) -> list[Phase]:
    for server in servers:
        start(server, workdir, args.log_level)
    for server in servers:
        await wait_ready(server)
        pid = server.process.pid if server.process else "?"
        print(f"{server.name:>6} server ready at {server.url} (pid {pid})")
    for server in servers:
        if args.warmup:
            warm = await measure(
                server, min(16, max(args.levels)), args.warmup, 0, 30.0, args.request_timeout
            )
            print(f"{server.name:>6} warm-up: {warm.ok}/{warm.sent} granted")
            if warm.ok == 0:
                raise RuntimeError(
                    f"{server.name}: no request granted in the warm-up: {warm.failure_samples}"
                )
    phases: list[Phase] = []
    for i, (concurrency, count, warmup) in enumerate(level_plan(args)):
        # Alternate which server goes first, so neither always runs on a warmer (or hotter) machine.
        for server in servers if i % 2 == 0 else list(reversed(servers)):
            phase = await measure(
                server, concurrency, count, warmup, args.level_timeout, args.request_timeout
            )
            phases.append(phase)
            print(
                f"  c={concurrency:<3} {server.name:<6} {phase.rps:7.0f} req/s  p50 {phase.p50_ms:6.1f} ms"
                f"  p99 {phase.p99_ms:6.1f} ms  failures {phase.failures}"
                + (" TRUNCATED" if phase.truncated else "")
            )
    return phases


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.replot:
        known = {f.name for f in fields(Phase)}
        phases = []
        for row in json.loads(args.output.read_text())["results"]:
            values: dict[str, Any] = {k: v for k, v in row.items() if k in known}
            values.update({k: math.nan for k, v in values.items() if v is None and k.endswith("_ms")})
            phases.append(Phase(**values))
        print(table(phases))
        plot(phases, args.plot)
        print(f"plot:    {args.plot}")
        return 0
    plan = level_plan(args)
    per_server = args.warmup + sum(count + warmup for _, count, warmup in plan)
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        print(f"note: load average {load_before[0]:.2f} before the run: other work will skew the figures")
    workdir = Path(tempfile.mkdtemp(prefix="smartdoor-bench-"))
    servers: list[Server] = []
    started = time.time()
    try:
        with sigterm_as_exit():
            for name in args.server_names:
                seeded = time.monotonic()
                codes, expires_at = seed(workdir / name, per_server)
                servers.append(Server(name, workdir / name, codes, expires_at))
                print(f"seeded {len(codes)} passcodes for {name} in {time.monotonic() - seeded:.1f} s")
            try:
                phases = asyncio.run(run(args, servers, workdir))
            finally:
                for server in servers:
                    stop(server)
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"data folders and server logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(table(phases))
    failures = sum(p.failures for p in phases)
    truncated = [f"{p.server}@{p.concurrency}" for p in phases if p.truncated]
    result = {
        "benchmark": "validateOtp over HTTP on 127.0.0.1",
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "duration_s": round(time.time() - started, 1),
        "machine": machine(),
        "load_average_1min": {"before": round(load_before[0], 2), "after": round(os.getloadavg()[0], 2)},
        "settings": {
            "levels": [{"concurrency": c, "requests": n, "warmup": w} for c, n, w in plan],
            "server_warmup": args.warmup,
            "level_timeout_s": args.level_timeout,
            "request_timeout_s": args.request_timeout,
            "server_log_level": args.log_level,
            "client": "aiohttp, one ClientSession per level, TCPConnector(limit=concurrency), keep-alive",
            "query": MUTATION,
        },
        "target": TARGET,
        "results": [asdict(p) for p in phases],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(no_nan(result), indent=2, allow_nan=False, default=str) + "\n")
    print(f"\nresults: {args.output}")
    if str(args.plot) not in ("", "."):
        plot(phases, args.plot)
        print(f"plot:    {args.plot}")
    if failures or truncated:
        print(
            f"WARNING: {failures} failed requests; stopped at deadline: {truncated or 'none'}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
