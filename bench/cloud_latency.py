"""Frame → console latency: a face event sent → the subscription message in the owner's browser.

    .venv/bin/python bench/cloud_latency.py [--events 20] [--output bench/results/cloud_latency.json]

On the cloud build on one machine (smartdoor_cdk.offline.cloud_build, driven as tests/cloud/cloud_door.py
drives it: the synthesised stack on moto, its Lambdas in workers, the local AppSync, the Kinesis poller): a
face-search record put on the stream → the onSighting message in chromium, the owner signed in through
the console's Cognito form. Beside it, the same measure on the local door
(tests/api/conftest.py's server): a face event POSTed to /face-events → the console's subscription message.
And the resolvers worker's cost per call: an invocation sent to it bare, and the same query through the
simulator. Events go one at a time (each waits for its message, at most --event-timeout seconds); the run
stops by itself, and everything it starts listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for entry in (ROOT, ROOT / "cdk"):  # runnable from any folder, without installing the package
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

import httpx  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from smartdoor_cdk.offline.cloud_build import CloudBuild, start_cloud_build  # noqa: E402
from tests.api.conftest import RunningServer  # noqa: E402
from tests.api.helpers import event, post_face_event  # noqa: E402
from tests.browser.conftest import ARGS, CHROMIUM  # noqa: E402
from tests.cloud.cloud_door import CloudDoor  # noqa: E402
from tests.cloud.conftest import jwt  # noqa: E402
from tests.conftest import TESTDATA  # noqa: E402
from tests.scenarios.local_door import open_console  # noqa: E402

# Each subscription message the page's websockets receive, stamped on arrival with the page's clock
# (performance.timeOrigin + now(): epoch milliseconds, the clock time.time() reads on this machine).
RECORD_MESSAGES = """
(() => {
  const Native = window.WebSocket;
  window.__arrivals = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const at = performance.timeOrigin + performance.now();
        try {
          const type = JSON.parse(event.data).type;
          if (type === "data" || type === "next") window.__arrivals.push(at);  // AppSync's, graphql-ws's
        } catch (error) {}
      });
    }
  };
})();
"""
WARM_UP = 2  # unmeasured events first: the first publish builds the publisher's client, and so on
WORKER_CALLS = 50


def percentile(samples: list[float], p: float) -> float:
    """Nearest rank: the smallest sample with at least p% of the samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(samples_ms: list[float]) -> dict[str, Any]:
    return {
        "n": len(samples_ms),
        "p50_ms": round(percentile(samples_ms, 50), 1),
        "p95_ms": round(percentile(samples_ms, 95), 1),
        "max_ms": round(max(samples_ms), 1),
        "samples_ms": [round(s, 1) for s in samples_ms],
    }


def arrival_after(page: Page, before: int, timeout: float) -> float:
    """Epoch seconds at which the page got its message number ``before`` + 1, waited for with a bound."""
    page.wait_for_function(f"() => window.__arrivals.length > {before}", timeout=timeout * 1000)
    at: float = page.evaluate(f"window.__arrivals[{before}]")
    return at / 1000


def measure(page: Page, send: Callable[[], float], events: int, timeout: float) -> list[float]:
    """Latencies (ms) of ``events`` sends, after WARM_UP unmeasured ones; ``send`` returns when it sent."""
    latencies = []
    for n in range(WARM_UP + events):
        before = page.evaluate("window.__arrivals.length")
        sent = send()
        arrived = arrival_after(page, before, timeout)
        print(f"event {n + 1}: {(arrived - sent) * 1000:.0f} ms", file=sys.stderr)
        if n >= WARM_UP:
            latencies.append((arrived - sent) * 1000)
    return latencies


def worker_overhead(build: CloudBuild) -> dict[str, Any]:
    """The owner's sightings query: through the simulator (HTTP, auth, mapping templates, the worker),
    and its invocation event sent to the worker bare."""
    query = {"query": "{ sightings(limit: 5) { items { id } } }", "variables": {}}
    payload = {
        "arguments": {"limit": 5},
        "identity": {"sub": "owner-1", "claims": {"cognito:groups": ["owners"]}},
        "source": None,
        "request": {"headers": {}},
        "info": {
            "fieldName": "sightings",
            "parentTypeName": "Query",
            "variables": {},
            "selectionSetList": ["items"],
        },
        "prev": None,
        "stash": {},
    }
    through, bare = [], []
    with httpx.Client(timeout=10) as client:
        token = jwt(["owners"])
        for _ in range(WORKER_CALLS):
            started = time.perf_counter()
            answer = client.post(build.appsync.graphql_url, json=query, headers={"Authorization": token})
            through.append((time.perf_counter() - started) * 1000)
            assert "errors" not in answer.json(), answer.text
            started = time.perf_counter()
            answer = client.post(build.appsync.worker_url, json=payload)
            bare.append((time.perf_counter() - started) * 1000)
            assert "result" in answer.json(), answer.text
        stats = client.get(build.appsync.worker_url + "stats").json()
    return {
        "calls": WORKER_CALLS,
        "through_simulator": summary(through),
        "bare_invocation": summary(bare),
        "worker_pid": stats["pid"],
        "worker_invocations": stats["invocations"],
    }


def run_cloud(page: Page, events: int, timeout: float) -> dict[str, Any]:
    record = json.loads((TESTDATA / "rekognition" / "unknown_face.json").read_text())
    face_jpeg = (TESTDATA / "faces" / "faces" / "obama" / "fr_obama.jpg").read_bytes()
    with start_cloud_build() as build:
        door = CloudDoor(build, record, face_jpeg)  # each arrival a stranger of its own: a message each
        door.open_console(page)

        def send() -> float:
            door.face_arrives()
            return door.put_at[-1]

        latencies = measure(page, send, events, timeout)
        [poller] = build.pollers
        return {
            "put_to_message": summary(latencies),
            "poll_interval_s": poller.poll_interval,
            "resolvers_worker": worker_overhead(build),
        }


def run_local(page: Page, events: int, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="smartdoor-bench-latency-") as folder:
        server = RunningServer(Path(folder) / "data")
        server.start()
        try:
            open_console(page, server)
            record = event("unknown_face.json")
            fragments = iter(range(10**40, 10**40 + WARM_UP + events))

            def send() -> float:
                face = copy.deepcopy(record)
                face["InputInformation"]["KinesisVideo"]["FragmentNumber"] = str(next(fragments))
                sent = time.time()
                response = post_face_event(server.url, server.token, face)
                assert response.status_code == 200, response.text
                return sent

            return {"post_to_message": summary(measure(page, send, events, timeout))}
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--event-timeout", type=float, default=30.0, help="seconds one message may take")
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "cloud_latency.json")
    args = parser.parse_args(argv)
    if not 1 <= args.events <= 200:
        parser.error("--events must be between 1 and 200")
    results: dict[str, Any] = {"events": args.events, "warm_up": WARM_UP}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            for name, run in (("cloud", run_cloud), ("local", run_local)):
                context = browser.new_context()
                context.add_init_script(RECORD_MESSAGES)
                try:
                    results[name] = run(context.new_page(), args.events, args.event_timeout)
                finally:
                    context.close()
        finally:
            browser.close()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    cloud, local = results["cloud"], results["local"]
    worker = cloud["resolvers_worker"]
    rows = [
        ("cloud: put on Kinesis → console message", cloud["put_to_message"]),
        ("local: POST /face-events → console message", local["post_to_message"]),
        ("resolvers worker: a query through the simulator", worker["through_simulator"]),
        ("resolvers worker: the bare invocation", worker["bare_invocation"]),
    ]
    print(f"{'measure':<50} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}")
    for label, figures in rows:
        print(f"{label:<50} {figures['n']:>4} {figures['p50_ms']:>8.1f} {figures['p95_ms']:>8.1f}")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
