"""Time ``analyze_gait`` (everything after pose extraction) on a long clip.

    python benchmarks/bench_gait.py --seconds 60 --fps 60 [--profile] [--cpu]

The poses are the synthetic runner's exact keypoints with Gaussian noise
(no inference), on a treadmill so the runner stays in view for the whole
clip. Reports the best of ``--repeat`` runs: wall time, or with ``--cpu`` the
process's CPU time, which a busy shared machine disturbs far less (compare
two versions side by side with ``PYTHONPATH=<other checkout>/src``).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from runform.gait.analyze import analyze_gait
from runform.synth import PRESETS, compute_truth
from runform.synth.truth_poses import create_truth_poses


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--fps", type=float, default=60.0)
    parser.add_argument("--noise-px", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--cpu", action="store_true", help="CPU time instead of wall time")
    args = parser.parse_args()
    params = PRESETS["treadmill"].with_overrides(duration_s=args.seconds, fps=args.fps)
    poses = create_truth_poses(compute_truth(params), noise_px=args.noise_px)
    analyze_gait(poses)  # warm up imports and caches
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        analyze_gait(poses)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    clock = time.process_time if args.cpu else time.perf_counter
    times = []
    for _ in range(args.repeat):
        start = clock()
        analyze_gait(poses)
        times.append(clock() - start)
    n = poses.sizes["time"]
    clip = f"{n} frames ({args.seconds:g} s at {args.fps:g} fps)"
    kind = "CPU" if args.cpu else "wall"
    print(f"analyze_gait: {clip}: best {min(times):.3f} s ({kind})")


if __name__ == "__main__":
    main()
