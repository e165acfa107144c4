"""Pose-extraction throughput and memory, measured side by side in one run.

Compares, on the same 1080p clip and in the same process:

(a)  the practical limit: the MediaPipe landmarker in VIDEO mode on frames
     decoded (and downscaled to runform's inference size) in advance;
(a0) the same on full-resolution pre-decoded frames, for reference;
(b)  the loop people usually write: ``cv2.VideoCapture`` plus IMAGE mode on
     every full-resolution frame;
(c)  runform's ``extract_poses`` (PyAV decode + downscale in a prefetch
     thread, VIDEO mode), end to end from the file.

Then, optionally, the peak resident memory of ``runform pose`` on a long
1080p video, in a child process.

Usage::

    python benchmarks/bench_pose_extraction.py            # renders a 1080p clip
    python benchmarks/bench_pose_extraction.py --video clip.mp4 --frames 300
    python benchmarks/bench_pose_extraction.py --rss-minutes 5

Timings depend on the machine and on what else runs on it; compare ratios
from one run only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np


def _render_clip(out_dir: Path, duration_s: float) -> Path:
    from runform.synth import PRESETS, write_synthetic_clip

    params = PRESETS["pose_runner"].with_overrides(
        width_px=1920, height_px=1080, duration_s=duration_s, fps=30, setting="treadmill"
    )
    return write_synthetic_clip(params, out_dir, name="bench_1080p").video_path


def loop_clip(source: Path, dest: Path, minutes: float) -> Path:
    """Concatenate a clip with itself until it lasts ``minutes`` (re-encoded)."""
    from runform.io.video import iter_frames, probe_video
    from runform.io.video_writer import VideoWriter

    props = probe_video(source)
    needed = int(minutes * 60 * float(props.fps))
    written = 0
    with VideoWriter(dest, props.fps, crf=28, preset="ultrafast") as writer:
        while written < needed:
            for frame in iter_frames(source):
                writer.write(frame.image)
                written += 1
                if written >= needed:
                    break
    return dest


def _time_it(fn: Callable[[], int]) -> float:
    start = time.perf_counter()
    n = fn()
    return n / (time.perf_counter() - start)


def decode_frames(video: Path, n: int, max_side: int | None) -> list[np.ndarray]:
    """The first ``n`` frames of ``video`` (RGB), longest side at most ``max_side`` px."""
    from runform.io.video import iter_frames

    frames = []
    for frame in iter_frames(video, max_side=max_side):
        frames.append(frame.image)
        if len(frames) >= n:
            break
    return frames


def _run_predecoded(model: Path, frames: list[np.ndarray]) -> int:
    from runform.pose.landmarker import PoseLandmarker

    with PoseLandmarker(model, mode="video") as landmarker:
        for i, image in enumerate(frames):
            landmarker.detect(image, timestamp_ms=i * 33)
    return len(frames)


def run_naive(model: Path, video: Path, n: int) -> int:
    """The one-script demo: ``cv2.VideoCapture`` + IMAGE mode on full-size frames; frames done."""
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)),
        running_mode=vision.RunningMode.IMAGE,
    )
    capture = cv2.VideoCapture(str(video))
    done = 0
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        while done < n:
            ok, bgr = capture.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
            done += 1
    capture.release()
    return done


def _run_runform(model_path: Path, video: Path) -> int:
    from runform.pose.extract import extract_poses
    from runform.pose.models import resolve_model

    model = resolve_model(model_path)
    return int(extract_poses(video, model).sizes["time"])


def _tree_rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory (MB) of a process tree: (sum, largest single process)."""
    sizes = []
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rss_line = next(ln for ln in status.splitlines() if ln.startswith("VmRSS"))
            sizes.append(int(rss_line.split()[1]) / 1024)
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return sum(sizes), max(sizes, default=0.0)


def _measure_rss(
    video: Path, model: Path, out_dir: Path, workers: int | None
) -> tuple[float, float, float]:
    """Run ``runform pose`` in a child process; sample its memory.

    Returns
    -------
    tuple
        Peak RSS of the largest single process and of the whole process
        tree (MB, sampled every 0.2 s from /proc), and the wall time (s).
        (The kernel's ru_maxrss is not used: a spawned worker's count
        includes the pages of the parent it was forked from before exec.)
    """
    env = {**os.environ, "RUNFORM_CACHE_DIR": str(out_dir / "cache")}
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "runform.cli", "pose", str(video), "-o", str(out_dir / "rss"),
         "--model", str(model), "--no-cache", "--quiet"]
        + (["--workers", str(workers)] if workers else []),
        env=env,
    )  # fmt: skip
    tree_peak = single_peak = 0.0
    while child.poll() is None:
        tree, single = _tree_rss_mb(child.pid)
        tree_peak, single_peak = max(tree_peak, tree), max(single_peak, single)
        time.sleep(0.2)
    wall = time.perf_counter() - start
    if child.returncode != 0:
        raise RuntimeError(f"runform pose failed with exit code {child.returncode}")
    return single_peak, tree_peak, wall


def main() -> None:
    """Run the benchmark and print a table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, help="a 1080p clip (default: render one)")
    parser.add_argument("--frames", type=int, default=600, help="frames per measurement")
    parser.add_argument("--rss-minutes", type=float, default=0.0,
                        help="also measure peak RSS on a looped clip this long")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=2, help="rounds; best round is kept")
    parser.add_argument("--rss-workers", type=int, help="--workers for the memory run")
    parser.add_argument("--rss-only", action="store_true", help="skip the throughput runs")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()

    from runform.io.video import probe_video
    from runform.pose.models import resolve_model

    model = resolve_model().path
    with tempfile.TemporaryDirectory(prefix="runform-bench-") as tmp:
        work = Path(tmp)
        video = args.video or _render_clip(work, duration_s=args.frames / 30 + 0.5)
        props = probe_video(video)
        n = min(args.frames, props.n_frames)
        print(f"clip: {video.name} {props.width}x{props.height} @ {float(props.fps):.2f} fps, "
              f"{n} frames per measurement, {os.cpu_count()} CPUs")  # fmt: skip
        results: dict[str, float] = {}
        if not args.rss_only:
            results.update(_measure_throughput(model, video, n, work, props.n_frames, args.repeat))
        if args.rss_minutes > 0:
            long_clip = loop_clip(video, work / "long.mp4", args.rss_minutes)
            rss_mb, tree_mb, wall = _measure_rss(long_clip, model, work, args.rss_workers)
            results["rss_minutes"] = args.rss_minutes
            results["rss_workers"] = float(args.rss_workers or 0)
            results["peak_rss_largest_process_mb"] = rss_mb
            results["peak_rss_all_processes_mb"] = tree_mb
            results["long_clip_wall_s"] = wall
        for key, value in results.items():
            print(f"{key:32s} {value:10.3f}")
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))


def _measure_throughput(
    model: Path, video: Path, n: int, work: Path, n_frames: int, repeat: int
) -> dict[str, float]:
    """Frames per second of (a), (a0), (b) and (c), side by side.

    The methods run in turn, ``repeat`` rounds; each keeps its best round,
    which damps the noise of a shared machine without favouring any method.
    """
    from runform.pose.extract import DEFAULT_MAX_SIDE

    trimmed = _loop_clip_first(video, work / "trimmed.mp4", n) if n_frames > n else video
    keys = ("a_predecoded_inference_fps", "a0_predecoded_fullres_fps",
            "b_naive_cv2_image_mode_fps", "c_runform_fps")  # fmt: skip
    results: dict[str, float] = dict.fromkeys(keys, 0.0)
    for _ in range(repeat):
        for key, side in ((keys[0], DEFAULT_MAX_SIDE), (keys[1], None)):
            frames = decode_frames(video, n, side)
            results[key] = max(results[key], _time_it(partial(_run_predecoded, model, frames)))
            frames.clear()
        naive = _time_it(lambda: run_naive(model, video, n))
        results[keys[2]] = max(results[keys[2]], naive)
        results[keys[3]] = max(results[keys[3]], _time_it(lambda: _run_runform(model, trimmed)))
    results["c_over_a"] = results["c_runform_fps"] / results["a_predecoded_inference_fps"]
    results["c_over_b"] = results["c_runform_fps"] / results["b_naive_cv2_image_mode_fps"]
    return results


def _loop_clip_first(source: Path, dest: Path, n: int) -> Path:
    """Copy the first ``n`` frames of a clip, so (c) sees the same frames."""
    from runform.io.video import iter_frames, probe_video
    from runform.io.video_writer import VideoWriter

    with VideoWriter(dest, probe_video(source).fps, crf=18) as writer:
        for frame in iter_frames(source):
            if frame.index >= n:
                break
            writer.write(frame.image)
    return dest


if __name__ == "__main__":
    main()
