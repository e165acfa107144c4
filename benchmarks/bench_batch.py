"""Batch throughput, CPU use and worker memory of ``runform batch`` (--jobs 1 against 2).

    .venv/bin/python benchmarks/bench_batch.py --clips 4 --seconds 5 --work /tmp/runform-bench-batch

Renders ``--clips`` different synthetic treadmill clips once (kept in
``--work``), then runs ``runform batch --no-video`` on them with each
``--jobs`` value, each run with an empty poses cache so every video is
really extracted. While a run goes, a thread samples the machine's CPU use
and the peak resident memory of every analysis process. Finally pose
extraction alone (decode + inference) is timed on the same clips, in one
process and in one process per core at once: the latter is the floor the
overhead is measured against. With
``--long-seconds`` one long clip is also run alone, to compare peak memory
per worker against video length. With ``--baseline-src`` another
checkout's ``src`` runs each batch too, alternating with this one, so the
two are compared in one run on the same machine state.

    git worktree add /tmp/wt_old <commit>
    .venv/bin/python benchmarks/bench_batch.py --clips 4 --seconds 20 --jobs 2 \
        --baseline-src /tmp/wt_old/src --work /tmp/runform-bench-batch20
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
    """Sample CPU use (all cores, %) and the largest child process's RSS (bytes)."""
    psutil.cpu_percent(None)
    me = psutil.Process()
    while not stop.wait(0.5):
        cpu.append(psutil.cpu_percent(None))
        for child in me.children(recursive=True):
            try:  # workers, their pose-extraction processes, Dask's and one-off analyses
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
    done = subprocess.run(command, env=env, check=False, capture_output=True, text=True)
    wall = time.perf_counter() - start
    stop.set()
    thread.join()
    if done.returncode != 0:  # a failed batch is not a measurement
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return wall, (sum(cpu) / len(cpu) if cpu else float("nan")), max(rss, default=0)


def extract_in_processes(clips: list[Path], processes: int) -> float:
    """Wall seconds of pose extraction alone (decode + inference), no batch around it.

    The clips are shared out among ``processes`` processes running at once,
    each extracting its clips one after the other with one worker: the floor
    a batch on that many cores is measured against (no process per video,
    no gait analysis, no reports; the model is loaded once per clip as in a
    job).
    """
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from runform.pipeline.poses import compute_poses\n"
        "from runform.pose.extract import ExtractionSettings\n"
        "from runform.pose.models import resolve_model\n"
        "model = resolve_model(None, variant='full')\n"
        "for clip in sys.argv[1:]:\n"
        "    compute_poses(Path(clip), model, ExtractionSettings(), use_cache=False, workers=1)\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    shares = [clips[i::processes] for i in range(processes)]
    start = time.perf_counter()
    running = [subprocess.Popen([sys.executable, "-c", script, *map(str, share)], env=env)
               for share in shares if share]  # fmt: skip
    if any(process.wait() != 0 for process in running):
        raise RuntimeError("pose extraction failed")
    return time.perf_counter() - start


def run_batch(uploads: Path, jobs: int, src: Path | None = None) -> tuple[float, float, int]:
    """Wall s, mean CPU % and peak worker RSS of ``runform batch`` with an empty cache.

    ``src``: run that checkout's ``runform`` (put first on ``PYTHONPATH``,
    which the batch's worker processes inherit) instead of the installed one.
    """
    runform = [sys.executable, "-m", "runform"]
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "RUNFORM_CACHE_DIR": cache}
        if src is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
        command = [*runform, "batch", str(uploads), "-o", out, "--jobs", str(jobs), "--no-video",
                   "--quiet"]  # fmt: skip
        return timed(command, env)


def main() -> None:
    """Run the benchmark and print markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/runform-bench-batch"))
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--long-seconds", type=float, default=0.0,
                        help="also run one clip this long (peak memory vs length)")  # fmt: skip
    parser.add_argument("--baseline-src", type=Path, default=None,
                        help="another checkout's src, run alternating with this one")  # fmt: skip
    args = parser.parse_args()
    if args.baseline_src is not None:
        args.baseline_src = args.baseline_src.resolve()
        if not (args.baseline_src / "runform" / "__init__.py").is_file():
            parser.error(f"--baseline-src {args.baseline_src} has no runform package")
    clips = render(args.work, args.clips, args.seconds)
    video_seconds = args.clips * args.seconds
    cores = len(os.sched_getaffinity(0))
    print(f"{args.clips} clips x {args.seconds} s (1280x720, 60 fps), {cores} cores\n")
    print("| run | wall s | video-s per wall-s | mean CPU (all cores) | peak RSS per worker |")
    print("|---|---|---|---|---|")
    walls = {}
    for jobs in args.jobs:
        wall, cpu, rss = run_batch(args.work / "uploads", jobs)
        walls[jobs] = wall
        print(f"| batch --jobs {jobs} | {wall:.1f} | {video_seconds / wall:.2f} | {cpu:.0f} % "
              f"| {rss / 2**20:.0f} MiB |")  # fmt: skip
        if args.baseline_src is not None:
            wall, cpu, rss = run_batch(args.work / "uploads", jobs, args.baseline_src)
            walls[-jobs] = wall  # negative: the baseline's
            print(f"| baseline batch --jobs {jobs} | {wall:.1f} | {video_seconds / wall:.2f} "
                  f"| {cpu:.0f} % | {rss / 2**20:.0f} MiB |")  # fmt: skip
    floors = {}
    for n in sorted({1, cores}):
        floors[n] = extract_in_processes(clips, n)
        print(f"| pose extraction only, {n} process(es) at once | {floors[n]:.1f} "
              f"| {video_seconds / floors[n]:.2f} | | |")  # fmt: skip
    print("\nShare of the batch's wall time not spent extracting poses (decode + inference),")
    print(f"against pose extraction alone on all {cores} cores:")
    for jobs, wall in walls.items():
        who = "baseline, " if jobs < 0 else ""
        print(f"- {who}--jobs {abs(jobs)}: {100 * (1 - floors[cores] / wall):.0f} %")
    if args.long_seconds:
        long_clip = render(args.work / "long", 1, args.long_seconds)
        short_rss = run_batch(args.work / "uploads", 1)[2]
        wall, _cpu, long_rss = run_batch(args.work / "long" / "uploads", 1)
        print(
            f"\nPeak worker RSS, --jobs 1: {short_rss / 2**20:.0f} MiB on {args.seconds:g} s "
            f"clips, {long_rss / 2**20:.0f} MiB on one {args.long_seconds:g} s clip "
            f"({wall:.0f} s wall) [{long_clip[0].name}]"
        )


if __name__ == "__main__":
    main()
