"""Gait events against the hand labels of real clips (``tests/data/event_labels``).

For every labelled clip found in ``--videos``: poses (``runform pose``,
cached under ``--work``), the background's motion (as ``runform gait``
measures it), ``analyze_gait`` with default settings, then the detected
events against the labels (:mod:`runform.evaluation.event_labels`). Also
the spread between two labellers where a second one labelled the clip.

    python benchmarks/real_event_accuracy.py --work /tmp/real --markdown /tmp/real-events.md

The clips are not in the repository (``../shared/videos``); labels are.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from runform.evaluation.event_labels import (
    ClipLabels,
    compare_events,
    labels_as_detected,
    load_labels,
    summarise_comparison,
    to_detected,
)
from runform.gait.analyze import analyze_gait
from runform.gait.result import GaitAnalysis
from runform.io.poses import load_poses
from runform.pipeline.clip import sample_camera_motion

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "event_labels"
VIDEOS = ROOT.parent / "shared" / "videos"
#: Clips whose labels may be looked at while changing the detector; the rest are held out.
TUNE_CLIPS = frozenset(
    {
        "run03_side_treadmill_male_lab_360p",
        "run05_side_outdoor_street_female_1080p50",
        "sprint01_side_block_start_athleteA",
    }
)


def poses_of(video: Path, work: Path) -> Path:
    """The clip's poses file under ``work``, extracted with ``runform pose`` if missing."""
    out = work / video.stem
    path = out / "poses.nc"
    if not path.exists():
        cmd = [sys.executable, "-m", "runform.cli", "pose", str(video), "-o", str(out), "--quiet"]
        subprocess.run(cmd, check=True)
    return path


def analyse_clip(video: Path, work: Path) -> GaitAnalysis:
    """The clip's gait analysis as ``runform gait`` makes it (poses cached under ``work``)."""
    poses = load_poses(poses_of(video, work))
    return analyze_gait(poses, camera_motion=sample_camera_motion(video, poses, 1.0))


def add_clip_arguments(parser: argparse.ArgumentParser) -> None:
    """The options shared by the real-clip benchmarks: where clips, labels and poses are."""
    parser.add_argument("--videos", type=Path, default=VIDEOS)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--work", type=Path, default=Path("/tmp/runform-real-events"))
    parser.add_argument("--markdown", type=Path)


def evaluate_clip(labels: ClipLabels, video: Path, work: Path) -> dict[str, float]:
    """Summary of detected against labelled events for one clip."""
    gait = analyse_clip(video, work)
    summary = summarise_comparison(compare_events(labels, to_detected(gait.events)), labels.fps)
    summary["activity"] = gait.capture.activity.label  # type: ignore[assignment]
    summary["setting"] = gait.capture.setting.label  # type: ignore[assignment]
    return summary


def format_row(name: str, split: str, fps: float, s: dict[str, float]) -> str:
    """One Markdown row."""

    def f(v: float, digits: int = 1) -> str:
        return (
            "-" if not np.isfinite(v) else f"{v:+.{digits}f}" if digits < 0 else f"{v:.{digits}f}"
        )

    return (
        f"| {name} | {split} | {fps:.2f} | {s.get('activity', '')} | "
        f"{int(s['landing_matched'])}/{int(s['landing_n'])} | {f(s['landing_median_abs'])} | "
        f"{f(s['landing_p90_abs'])} | {s['landing_median_signed']:+.1f} | "
        f"{int(s['takeoff_matched'])}/{int(s['takeoff_n'])} | {f(s['takeoff_median_abs'])} | "
        f"{f(s['takeoff_p90_abs'])} | {s['takeoff_median_signed']:+.1f} | "
        f"{s['contact_bias_ms']:+.0f} ({s['contact_bias_frames']:+.1f} fr, "
        f"n={int(s['contacts'])}) | "
        f"{int(s['landing_extra'] + s['takeoff_extra'])} |"
    )


HEADER = (
    "| clip | split | fps | activity found | landings matched | landing median abs (fr) | "
    "landing p90 abs | landing signed median | take-offs matched | take-off median abs | "
    "take-off p90 abs | take-off signed median | contact-time bias ms | extra detections |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_clip_arguments(parser)
    parser.add_argument("--split", choices=("all", "tune", "heldout"), default="all")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows, results = [HEADER], {}
    for path in sorted(args.labels.glob("*.json")):
        labels = load_labels(path)
        stem = Path(labels.clip).stem
        split = "tune" if stem in TUNE_CLIPS else "held out"
        if args.split != "all" and (args.split == "tune") != (split == "tune"):
            continue
        video = args.videos / labels.clip
        if not video.exists():
            print(f"skip {labels.clip}: not in {args.videos}", file=sys.stderr)
            continue
        summary = evaluate_clip(labels, video, args.work)
        results[stem] = summary
        rows.append(format_row(stem, split, labels.fps, summary))
    rater = ["", "Between labellers (B against A):", "", HEADER]
    for path in sorted((args.labels / "second_labeller").glob("*.json")):
        first = args.labels / path.name
        if not first.exists():
            continue
        a, b = load_labels(first), load_labels(path)
        s = summarise_comparison(compare_events(a, labels_as_detected(b)), a.fps)
        rater.append(format_row(Path(a.clip).stem, "labeller B", a.fps, s))
        results[f"{Path(a.clip).stem}:labellers"] = s
    text = "\n".join(rows + rater)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
