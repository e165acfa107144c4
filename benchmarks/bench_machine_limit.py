"""`runform pose` end to end against what the machine can do, measured in the same run.

Issue 19: a machine with N usable cores can run N MediaPipe landmarkers at
once. This benchmark measures, side by side, in one run:

* **the machine's limit**: one VIDEO-mode landmarker per usable core, each in
  its own process, on frames decoded beforehand at runform's inference size
  (``--inference-side``, default :data:`runform.pose.settings.DEFAULT_MAX_SIDE`);
  the limit is the sum of their frame rates, timed from the moment all
  landmarkers are built (start-up is part of runform's figure, not of the
  limit);
* **runform**: ``runform pose CLIP -o OUT --no-cache --quiet`` in a child
  process (the installed console script, as a user runs it), wall time from
  start to exit, start-up, decoding and writing included;
* **the naive loop**: one process, ``cv2.VideoCapture`` and an IMAGE-mode
  landmarker on every full-size frame (what the one-script demos do).

on short (5 s), medium (20 s) and long (5 min) clips at 720p and 1080p,
rendered by the synthetic runner (the long clip loops a 20 s render).
Figures are frames per second; runform's is also given as a share of the
limit. Compare ratios from one run only: these machines are shared.

    python benchmarks/bench_machine_limit.py --markdown /tmp/limit.md
    python benchmarks/bench_machine_limit.py --sizes 720 --lengths 5 --limit-frames 150  # smoke

The limit and the naive loop are measured on ``--limit-frames`` frames of
each clip (they do not depend on the clip's length); runform on the whole
clip.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_pose_extraction import decode_frames, loop_clip, run_naive

SIZES = {720: (1280, 720), 1080: (1920, 1080)}
RENDER_S = 20.0  # longer clips loop a render this long


def count_usable_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's total)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def render_clip(folder: Path, height: int, seconds: float) -> Path:
    """A synthetic treadmill clip at ``height`` p, 30 fps, ``seconds`` long (looped past 20 s)."""
    from runform.synth import PRESETS, write_synthetic_clip

    width, height = SIZES[height]
    base = min(seconds, RENDER_S)
    params = PRESETS["treadmill"].with_overrides(
        width_px=width, height_px=height, duration_s=base, fps=30
    )
    clip = write_synthetic_clip(params, folder, name=f"r{height}_{base:g}s").video_path
    if seconds <= base:
        return clip
    return loop_clip(clip, folder / f"r{height}_{seconds:g}s.mp4", seconds / 60)


def _landmark_worker(args: tuple[str, str, int, int, object]) -> float:
    """One landmarker on pre-decoded frames; wait at the barrier, then time the loop (fps)."""
    model, video, n, side, barrier = args
    from runform.pose.landmarker import PoseLandmarker

    frames = decode_frames(Path(video), n, side)
    with PoseLandmarker(Path(model), mode="video") as landmarker:
        landmarker.detect(frames[0], timestamp_ms=0)  # built and warm
        barrier.wait()  # type: ignore[attr-defined]
        start = time.perf_counter()
        for i, image in enumerate(frames[1:], start=1):
            landmarker.detect(image, timestamp_ms=i * 33)
        return (len(frames) - 1) / (time.perf_counter() - start)


def measure_limit(model: Path, video: Path, n: int, side: int, processes: int) -> float:
    """Sum of the frame rates of ``processes`` landmarkers running at once (fps)."""
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(processes)
        with ctx.Pool(processes) as pool:
            rates = pool.map(
                _landmark_worker, [(str(model), str(video), n, side, barrier)] * processes
            )
    return float(sum(rates))


def measure_naive(model: Path, video: Path, n: int) -> float:
    """``cv2.VideoCapture`` + IMAGE mode on full-size frames, one process (fps)."""
    start = time.perf_counter()
    done = run_naive(model, video, n)
    return done / (time.perf_counter() - start)


def measure_runform(video: Path, out: Path, n_frames: int, source: Path | None = None) -> float:
    """``runform pose`` end to end in a child process, start-up included (fps).

    With ``source`` (a checkout's ``src`` folder), that version of runform runs
    instead of the installed one: a baseline measured in the same run.
    """
    env = {**os.environ, "RUNFORM_CACHE_DIR": str(out / "cache")}
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(source), env.get("PYTHONPATH", "")])
    # the console script a user runs (its import is what each spawned pose worker repeats)
    script = Path(sys.executable).with_name("runform")
    runform = [str(script)] if script.exists() else [sys.executable, "-m", "runform"]
    command = [*runform, "pose", str(video), "-o", str(out / "pose"), "--no-cache", "--quiet"]
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env)
    return n_frames / (time.perf_counter() - start)


def to_markdown(rows: list[dict[str, float | str]]) -> str:
    """The table for ``docs/performance.md``."""
    baseline = any("baseline_fps" in r for r in rows)
    extra = " baseline (fps) | baseline's share |" if baseline else ""
    lines = [
        "| clip | frames | machine limit (fps) | runform pose (fps) | share of the limit "
        "| naive loop (fps) | runform / naive |" + extra,
        "|---|---|---|---|---|---|---|" + ("---|---|" if baseline else ""),
    ]
    for r in rows:
        line = (
            f"| {r['clip']} | {r['frames']} | {float(r['limit_fps']):.1f} "
            f"| {float(r['runform_fps']):.1f} | {float(r['share']):.2f} "
            f"| {float(r['naive_fps']):.1f} | {float(r['over_naive']):.2f} |"
        )
        if baseline:
            line += f" {float(r['baseline_fps']):.1f} | {float(r['baseline_share']):.2f} |"
        lines.append(line)
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark."""
    from runform.io.video import probe_video
    from runform.pose.models import resolve_model
    from runform.pose.settings import DEFAULT_MAX_SIDE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[720, 1080], choices=SIZES)
    parser.add_argument("--lengths", type=float, nargs="+", default=[5.0, 20.0, 300.0],
                        help="clip lengths, seconds")  # fmt: skip
    parser.add_argument("--limit-frames", type=int, default=300,
                        help="frames per process for the limit and the naive loop")  # fmt: skip
    parser.add_argument("--processes", type=int, default=count_usable_cores(),
                        help="landmarkers at once (default: usable cores)")  # fmt: skip
    parser.add_argument("--inference-side", type=int, default=DEFAULT_MAX_SIDE)
    parser.add_argument("--baseline-src", type=Path,
                        help="another checkout's src/: its `runform pose` is measured too, "
                             "alternating with this one's")  # fmt: skip
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.baseline_src is not None:
        args.baseline_src = args.baseline_src.resolve()
        if not (args.baseline_src / "runform" / "__init__.py").is_file():
            parser.error(f"--baseline-src {args.baseline_src} has no runform package")
    model = resolve_model().path
    rows: list[dict[str, float | str]] = []
    with tempfile.TemporaryDirectory(prefix="runform-limit-") as tmp:
        work = Path(tmp)
        for height in args.sizes:
            limits: dict[str, float] = {}
            for seconds in args.lengths:
                video = render_clip(work, height, seconds)
                n_frames = int(probe_video(video).n_frames)
                n = min(args.limit_frames, n_frames)
                key = f"{height}p"
                if key not in limits:  # the limit does not depend on the clip's length
                    limit = measure_limit(model, video, n, args.inference_side, args.processes)
                    naive = measure_naive(model, video, n)
                    limits[key], limits[key + "_naive"] = limit, naive
                out = work / f"out_{height}_{seconds:g}"
                runform = measure_runform(video, out, n_frames)
                if args.baseline_src is not None:
                    base = measure_runform(video, out / "base", n_frames, args.baseline_src)
                row: dict[str, float | str] = {
                    "clip": f"{height}p30, {seconds:g} s",
                    "frames": n_frames,
                    "limit_fps": limits[key],
                    "runform_fps": runform,
                    "share": runform / limits[key],
                    "naive_fps": limits[key + "_naive"],
                    "over_naive": runform / limits[key + "_naive"],
                }
                if args.baseline_src is not None:
                    row |= {"baseline_fps": base, "baseline_share": base / limits[key]}
                rows.append(row)
                print(to_markdown([row]).splitlines()[-1], flush=True)
    table = to_markdown(rows)
    print(f"\n{args.processes} landmarkers at once for the limit, inference side "
          f"{args.inference_side} px, {count_usable_cores()} usable cores\n")  # fmt: skip
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
