"""Batch throughput, CPU use and worker memory of ``runform batch`` (--jobs 1 against 2).

    .venv/bin/python benchmarks/bench_batch.py --clips 4 --seconds 5 --work /tmp/runform-bench-batch

Renders ``--clips`` different synthetic treadmill clips once (kept in
``--work``), then runs ``runform batch --no-video`` on them with each
``--jobs`` value, each run with an empty poses cache so every video is
really extracted. While a run goes, a thread samples the machine's CPU use
and the peak resident memory of every analysis process. Finally
``runform pose`` is timed on the same clips, one after the other, as the
inference-only reference for the overhead.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from runform.synth import PRESETS, write_synthetic_clip


def render(work: Path, clips: int, seconds: float) -> list[Path]:
    """The clips (rendered once, different seeds so their poses are not shared)."""
    folder = work / "uploads" / "squad"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(clips):
        path = folder / f"runner{i}.mp4"
        if not path.exists():
            params = PRESETS["treadmill"].with_overrides(duration_s=seconds, seed=100 + i)
            write_synthetic_clip(params, folder, name=f"runner{i}")
            (folder / f"runner{i}.truth.json").unlink()
        paths.append(path)
    return paths


def monitor(stop: threading.Event, cpu: list[float], rss: list[int]) -> None:
    """Sample CPU use (all cores, %) and the largest analysis process's RSS (bytes)."""
    psutil.cpu_percent(None)
    me = psutil.Process()
    while not stop.wait(0.5):
        cpu.append(psutil.cpu_percent(None))
        for child in me.children(recursive=True):
            try:
                if "analyze" in " ".join(child.cmdline()):
                    rss.append(child.memory_info().rss)
            except psutil.Error:
                continue


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, mean CPU % and peak worker RSS of one command."""
    stop = threading.Event()
    cpu: list[float] = []
    rss: list[int] = []
    thread = threading.Thread(target=monitor, args=(stop, cpu, rss), daemon=True)
    thread.start()
    start = time.perf_counter()
    subprocess.run(command, env=env, check=False, capture_output=True)
    wall = time.perf_counter() - start
    stop.set()
    thread.join()
    return wall, (sum(cpu) / len(cpu) if cpu else float("nan")), max(rss, default=0)


def main() -> None:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/runform-bench-batch"))
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    clips = render(args.work, args.clips, args.seconds)
    video_seconds = args.clips * args.seconds
    runform = [sys.executable, "-m", "runform"]
    print(f"{args.clips} clips x {args.seconds} s (1280x720, 60 fps), {os.cpu_count()} cores\n")
    print("| run | wall s | video-s per wall-s | mean CPU (all cores) | peak RSS per worker |")
    print("|---|---|---|---|---|")
    for jobs in args.jobs:
        with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
            env = {**os.environ, "RUNFORM_CACHE_DIR": cache}
            uploads = str(args.work / "uploads")
            command = [*runform, "batch", uploads, "-o", out, "--jobs", str(jobs), "--no-video",
                       "--quiet"]  # fmt: skip
            wall, cpu, rss = timed(command, env)
        print(f"| batch --jobs {jobs} | {wall:.1f} | {video_seconds / wall:.2f} | {cpu:.0f} % "
              f"| {rss / 2**20:.0f} MiB |")  # fmt: skip
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "RUNFORM_CACHE_DIR": cache}
        start = time.perf_counter()
        for clip in clips:
            subprocess.run([*runform, "pose", str(clip), "-o", out, "--workers", "1", "--quiet"],
                           env=env, check=False, capture_output=True)  # fmt: skip
        pose = time.perf_counter() - start
    print(f"| runform pose, one after the other | {pose:.1f} | {video_seconds / pose:.2f} | | |")


if __name__ == "__main__":
    main()
