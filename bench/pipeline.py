"""The door's eyes, measured: frames/s of our pipeline against the naive loop, first-frame-to-event latency,
1:N search time, verification accuracy, and the whole server's peak memory with one camera.

    .venv/bin/python bench/pipeline.py [--testdata ../shared/testdata] [--repeats 3]
        [--output bench/results/pipeline.json] [--plot docs/bench/pipeline.png] [--skip-memory]

Everything runs on this machine only (no network but 127.0.0.1 for the memory run) and stops by itself.
See bench/README.md for the figures and how to read them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from smartdoor.adapters.local.descriptor_matrix import DescriptorMatrix, SearchSettings  # noqa: E402
from smartdoor.bootstrap import build_local, build_vision  # noqa: E402
from smartdoor.config import Settings  # noqa: E402
from smartdoor.vision.analyser import FaceAnalyser  # noqa: E402
from smartdoor.vision.cameras import CameraRunner  # noqa: E402
from smartdoor.vision.dlib_models import load_models  # noqa: E402
from smartdoor.vision.sources import CameraSpec  # noqa: E402
from tests.video_frames import frames_of  # noqa: E402

TARGETS = {"fps": 30.0, "speedup": 5.0, "p95_ms": 300.0, "search_100k_ms": 10.0, "peak_mb": 600.0}


def make_30fps_clip(frames: list[np.ndarray], folder: Path) -> tuple[Path, list[np.ndarray]]:
    """door.mp4 is 10 fps; a 30 fps 640x480 camera shows each moment three times (plus a little noise)."""
    rng = np.random.default_rng(7)
    out = []
    for frame in frames:
        for _ in range(3):
            noise = rng.integers(-2, 3, frame.shape, dtype=np.int16)
            out.append(np.clip(frame.astype(np.int16) + noise, 0, 255).astype(np.uint8))
    path = folder / "door30.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (640, 480))
    for frame in out:
        writer.write(frame)
    writer.release()
    return path, list(frames_of(path))


def naive_fps(frames: list[np.ndarray]) -> float:
    """face_recognition's loop: detect (upsample 1, full size) and encode every face on every frame."""
    models = load_models()
    start = time.perf_counter()
    for frame in frames:
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        for rect in models.detector(rgb, 1):
            shape = models.landmarks(rgb, rect)
            models.encoder.compute_face_descriptor(rgb, shape)
    return len(frames) / (time.perf_counter() - start)


def fresh_door(folder: Path, enroll: list[Path]) -> Any:
    local = build_local(Settings(data_dir=folder))
    if enroll:
        from smartdoor.server.enroll import enroll_from_photos

        with open(os.devnull, "w") as quiet:
            enroll_from_photos(local, "Barack", "+12025550111", enroll, out=quiet)
    return local


class ListSource:
    def __init__(self, frames: list[np.ndarray], stamps: dict[int, float]) -> None:
        self.frames_list, self.stamps, self.fps = frames, stamps, 0.0

    def frames(self) -> Iterator[np.ndarray]:
        for n, frame in enumerate(self.frames_list):
            self.stamps[n] = time.perf_counter()
            yield frame

    def close(self) -> None:
        pass


def throughput(frames: list[np.ndarray], enroll: list[Path]) -> tuple[float, dict[str, int]]:
    """Frames/s of our pipeline as served (analysis in the worker process), every frame analysed, none
    dropped: each frame goes through detection, tracking, search and the core, one after another."""
    with tempfile.TemporaryDirectory() as tmp:
        local = fresh_door(Path(tmp) / "data", enroll)
        vision = build_vision(local, [])
        vision.analysis.analyse("warm-up", 0.0, np.zeros((480, 640, 3), np.uint8))  # spawn + load models
        start = time.perf_counter()
        for frame in frames:
            vision.pipeline.process("bench", frame, datetime.now(UTC))
        elapsed = time.perf_counter() - start
        stats = vision.pipeline.stats.snapshot()
        vision.stop()
        local.close()
    return len(frames) / elapsed, stats


def live_run(frames: list[np.ndarray], fps: float, enroll: list[Path]) -> dict[str, Any]:
    """Our pipeline as the server runs it (analysis in a worker process), fed like a camera."""
    with tempfile.TemporaryDirectory() as tmp:
        local = fresh_door(Path(tmp) / "data", enroll)
        published: list[float] = []
        original = local.broker.publish

        def timed_publish(sighting: Any) -> None:
            published.append(time.perf_counter())
            original(sighting)

        local.broker.publish = timed_publish
        vision = build_vision(local, [])
        vision.analysis.analyse("warm-up", 0.0, np.zeros((480, 640, 3), np.uint8))  # spawn + load models
        stamps: dict[int, float] = {}
        source = ListSource(frames, stamps)
        # Paced like a live camera: frames arrive at fps whether or not analysis keeps up.
        source.fps = fps
        runner = CameraRunner(
            CameraSpec("bench", "list"), vision.pipeline, lambda: datetime.now(UTC), opener=lambda _: source
        )
        start = time.perf_counter()
        runner.start()
        runner.wait_until_done(timeout=600)
        elapsed = time.perf_counter() - start
        runner.stop()
        stats = vision.pipeline.stats.snapshot()
        vision.stop()
        local.close()
    return {"elapsed": elapsed, "stats": stats, "stamps": stamps, "published": published}


def first_frames(frames_per_second: float) -> list[int]:
    """Frame numbers where a face first appears (door_truth: Obama at 2.0 s, Biden at 6.0 s)."""
    return [round(2.0 * frames_per_second), round(6.0 * frames_per_second)]


def latencies(run: dict[str, Any], firsts: list[int]) -> list[float]:
    out = []
    for n, published in zip(firsts, run["published"], strict=False):
        out.append((published - run["stamps"][n]) * 1000)
    return out


def search_times(size: int, repeats: int = 200) -> dict[str, float]:
    rng = np.random.default_rng(size)
    rows = [(f"f{i}", f"visitor-{i // 3}", rng.normal(0, 0.09, 128).astype(np.float32)) for i in range(size)]
    index = DescriptorMatrix()
    index.load(rows)
    matrix = np.stack([r[2] for r in rows])
    queries = [
        rows[int(i)][2] + rng.normal(0, 0.01, 128).astype(np.float32) for i in rng.integers(0, size, 20)
    ]
    timings = {}
    for name, search in (
        ("ours", lambda q: index.search(q)),
        ("naive", lambda q: int(np.argmin(np.linalg.norm(matrix - q, axis=1)))),
    ):
        start = time.perf_counter()
        for n in range(repeats):
            search(queries[n % len(queries)])
        timings[name] = (time.perf_counter() - start) / repeats * 1000
    return timings


def pair_accuracy(testdata: Path) -> dict[str, Any]:
    analyser, settings = FaceAnalyser(), SearchSettings()
    cache: dict[str, np.ndarray] = {}

    def describe(name: str) -> np.ndarray:
        if name not in cache:
            image = cv2.imread(str(testdata / "faces" / name))
            assert image is not None, name
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
            [box] = analyser.detect_in_photo(rgb)
            cache[name] = analyser.describe(rgb, box)
        return cache[name]

    right, total, same_max, diff_min = 0, 0, 0.0, 9.0
    with (testdata / "faces" / "pairs.csv").open() as handle:
        for pair in csv.DictReader(handle):
            d = float(np.linalg.norm(describe(pair["file_a"]) - describe(pair["file_b"])))
            same = pair["same"] == "1"
            right += (d <= settings.known_distance) if same else (d >= settings.new_distance)
            total += 1
            same_max, diff_min = (max(same_max, d), diff_min) if same else (same_max, min(diff_min, d))
    return {
        "right": right,
        "total": total,
        "same_max": same_max,
        "different_min": diff_min,
        "known_distance": settings.known_distance,
        "new_distance": settings.new_distance,
    }


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children, from /proc."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("VmRSS:"))
            # Children are listed per thread: the analysis worker is started from a camera thread.
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    pending += [int(c) for c in handle.read().split()]
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            continue
    return total / 1024


def server_peak_memory(video: Path, seconds: float) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "smartdoor.server.cli",
                "serve",
                "--port",
                "0",
                "--data-dir",
                tmp,
                "--camera",
                f"door={video}#loop",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        peak = 0.0
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and process.poll() is None:
                peak = max(peak, rss_mb(process.pid))
                time.sleep(0.2)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    return peak


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    clips = list(results["fps"])
    x = np.arange(len(clips))
    left.bar(x - 0.2, [results["fps"][c]["ours"] for c in clips], 0.4, label="ours")
    left.bar(x + 0.2, [results["fps"][c]["naive"] for c in clips], 0.4, label="naive loop")
    left.axhline(TARGETS["fps"], color="grey", linestyle="--", label="30 fps camera")
    left.set_xticks(x, clips)
    left.set_ylabel("frames / s (2 cores)")
    left.legend()
    sizes = list(results["search_ms"])
    right.bar(
        np.arange(len(sizes)) - 0.2, [results["search_ms"][s]["ours"] for s in sizes], 0.4, label="ours"
    )
    right.bar(
        np.arange(len(sizes)) + 0.2, [results["search_ms"][s]["naive"] for s in sizes], 0.4, label="naive"
    )
    right.set_xticks(np.arange(len(sizes)), [f"{int(s) // 1000}k faces" for s in sizes])
    right.set_ylabel("1:N search, ms")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--testdata",
        type=Path,
        default=Path(os.environ.get("SMARTDOOR_TESTDATA", ROOT.parent / "shared" / "testdata")),
    )
    parser.add_argument("--repeats", type=int, default=3, help="latency runs per clip")
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "pipeline.json")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "bench" / "pipeline.png")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    faces = args.testdata / "faces"
    enroll = [faces / "faces" / "obama" / n for n in ("fr_obama2.jpg", "fr_obama3.jpg", "fr_knn_obama1.jpg")]
    door10 = list(frames_of(faces / "door.mp4"))
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "fps": {},
        "latency_ms": {},
        "search_ms": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        _clip30, door30 = make_30fps_clip(door10, Path(tmp))
        for name, frames, fps in (("door.mp4 (10 fps)", door10, 10.0), ("640x480 @ 30 fps", door30, 30.0)):
            ours, stats = throughput(frames, enroll)
            naive = naive_fps(frames)
            results["fps"][name] = {"ours": ours, "naive": naive, "speedup": ours / naive, "stats": stats}
            print(
                f"{name:<20} ours {ours:6.1f} fps   naive {naive:5.1f} fps   x{ours / naive:.1f}", flush=True
            )
            samples: list[float] = []
            for _ in range(args.repeats):
                run = live_run(frames, fps, enroll)
                samples += latencies(run, first_frames(fps))
            results["latency_ms"][name] = {
                "samples": samples,
                "p50": statistics.median(samples),
                "p95": float(np.percentile(samples, 95)),
                "dropped_in_realtime": run["stats"]["dropped"],
            }
            print(
                f"{'':<20} first frame -> event: p50 {statistics.median(samples):.0f} ms, "
                f"p95 {np.percentile(samples, 95):.0f} ms over {len(samples)} faces",
                flush=True,
            )
    for size in (10_000, 100_000):
        results["search_ms"][str(size)] = search_times(size)
        t = results["search_ms"][str(size)]
        print(f"search over {size:>7,} faces: ours {t['ours']:.2f} ms, naive {t['naive']:.2f} ms", flush=True)
    results["pairs"] = pair_accuracy(args.testdata)
    p = results["pairs"]
    print(
        f"pairs.csv: {p['right']}/{p['total']} right "
        f"(same ≤ {p['same_max']:.3f}, different ≥ {p['different_min']:.3f})"
    )
    if not args.skip_memory:
        results["peak_mb"] = server_peak_memory(faces / "door.mp4", seconds=25)
        print(f"server + analysis worker, one camera: peak {results['peak_mb']:.0f} MB", flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=float))
    plot(results, args.plot)
    print(f"wrote {args.output} and {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
