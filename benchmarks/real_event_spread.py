"""How far a labelled real clip's event error moves when only the inference size changes.

Extracts the clip's poses at several ``--max-side`` values (each a slightly
different resampling of the same frames), runs the gait analysis as
``runform gait`` does, and prints the event error against the hand labels for
each. The spread between sizes is what one clip can resolve: a change of
inference size (or anything else that perturbs the pixels) whose effect lies
inside it is not shown to be better or worse by that clip.

    python benchmarks/real_event_spread.py run05_side_outdoor_street_female_1080p50 \\
        --sides 1152 1216 1280 1344 1440 1600 1760 1920 --work /tmp/spread

The clips are not in the repository (``../shared/videos``); labels are.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from real_event_accuracy import LABELS, VIDEOS

from runform.evaluation.event_labels import (
    compare_events,
    load_labels,
    summarise_comparison,
    to_detected,
)
from runform.gait.analyze import analyze_gait
from runform.io.poses import load_poses
from runform.pipeline.clip import sample_camera_motion

KEPT = (
    "landing_matched",
    "landing_median_abs",
    "landing_p90_abs",
    "takeoff_matched",
    "takeoff_median_abs",
    "takeoff_p90_abs",
    "contact_bias_ms",
)


def measure_at(video: Path, labels_path: Path, side: int, work: Path) -> dict[str, float]:
    """Event error of ``video`` with poses extracted at ``side`` px (cached under ``work``)."""
    labels = load_labels(labels_path)
    out = work / video.stem / str(side)
    if not (out / "poses.nc").exists():
        command = [sys.executable, "-m", "runform.cli", "pose", str(video), "-o", str(out),
                   "--quiet", "--no-cache", "--max-side", str(side)]  # fmt: skip
        subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
    poses = load_poses(out / "poses.nc")
    gait = analyze_gait(poses, camera_motion=sample_camera_motion(video, poses, 1.0))
    summary = summarise_comparison(compare_events(labels, to_detected(gait.events)), labels.fps)
    return {key: round(float(summary[key]), 2) for key in KEPT}


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("clip", help="stem of a labelled clip")
    parser.add_argument("--sides", type=int, nargs="+", required=True, help="--max-side values")
    parser.add_argument("--videos", type=Path, default=VIDEOS)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--work", type=Path, default=Path("/tmp/runform-event-spread"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    labels_path = args.labels / f"{args.clip}.json"
    video = args.videos / load_labels(labels_path).clip
    if not video.exists():
        raise SystemExit(f"{video} not found: the real clips are not in the repository")
    rows = {}
    print("| max side | " + " | ".join(KEPT) + " |")
    print("|---" * (len(KEPT) + 1) + "|")
    for side in args.sides:
        rows[side] = measure_at(video, labels_path, side, args.work)
        print(f"| {side} | " + " | ".join(f"{rows[side][k]:g}" for k in KEPT) + " |", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
