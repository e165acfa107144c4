"""Gait-event accuracy on varied synthetic footage (tune or held-out seeds).

For each seed of the chosen split, draws the clip's parameters with
``runform.synth.variation.sample_varied_params`` (runner, looks, camera,
light, blur, compression, resolution, frame rate), renders it, extracts poses
with MediaPipe, runs ``analyze_gait`` and compares the detected landings
(initial contacts) and take-offs (toe-offs) with the exact truth.

Each true event is matched to the nearest detected event of the same type
and side within half a step; unmatched true events count as missed. Per clip
the table gives the median, signed median and 90th percentile of the
absolute error in frames, the missed events, the contact-time bias (the
analysis's ground-contact time minus the truth, ms) and the cadence error.

Tuning may only look at ``--split tune`` (seeds 0–99); report accuracy on
``--split heldout`` (seeds 1000–1099).

    python benchmarks/varied_gait_accuracy.py --split tune --n 6 --work /tmp/varied \\
        --json /tmp/varied/tune.json

Clips and poses are cached under ``--work`` (keyed by split and seed), so a
rerun only repeats the analysis. Run one at a time: MediaPipe uses the CPU.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from runform.evaluation.truth_events import ClipResult, evaluate
from runform.io.poses import save_poses
from runform.pose.extract import ExtractionSettings, extract_poses
from runform.pose.models import ResolvedModel, resolve_model
from runform.synth import read_truth_json, write_synthetic_clip
from runform.synth.variation import HELDOUT_SEEDS, TUNE_SEEDS, sample_varied_params

FloatArray = NDArray[np.float64]
SPLITS = {"tune": TUNE_SEEDS, "heldout": HELDOUT_SEEDS}


def prepare(split: str, seed: int, work: Path, model: ResolvedModel) -> tuple[Path, Path, Path]:
    """Render and extract once; return (video, poses, truth) paths."""
    name = f"{split}_{seed:04d}"
    folder = work / name
    video, poses, truth = folder / f"{name}.mp4", folder / "poses.nc", folder / f"{name}.truth.json"
    if video.exists() and poses.exists() and truth.exists():
        return video, poses, truth
    folder.mkdir(parents=True, exist_ok=True)
    clip = write_synthetic_clip(sample_varied_params(seed), folder, name=name)
    ds = extract_poses(clip.video_path, model, ExtractionSettings(), workers=1)
    save_poses(ds, poses)
    return clip.video_path, poses, clip.truth_path


def to_markdown(rows: list[ClipResult]) -> str:
    """Render per-clip rows and a summary row as a Markdown table."""
    head = (
        "| seed | setting (found) | size | fps | strike | hover ms "
        "| IC med abs (signed) | IC p90 | TO med abs (signed) | TO p90 "
        "| missed IC/TO | contact bias ms | cadence err % |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )

    def line(r: ClipResult) -> str:
        return (
            f"| {r.seed} | {r.setting} ({r.setting_found}) | {r.size} | {r.fps:.2f} | {r.strike} "
            f"| {r.hover_ms:.0f} | {r.ic_median_abs:.2f} ({r.ic_signed_median:+.2f}) "
            f"| {r.ic_p90_abs:.2f} | {r.to_median_abs:.2f} ({r.to_signed_median:+.2f}) "
            f"| {r.to_p90_abs:.2f} | {r.missed_ic}/{r.n_true_ic} {r.missed_to}/{r.n_true_to} "
            f"| {r.contact_bias_ms:+.1f} | {r.cadence_err_pct:+.2f} |"
        )

    body = "\n".join(line(r) for r in rows)
    if rows:

        def med(name: str) -> float:
            values = np.array([getattr(r, name) for r in rows], dtype=float)
            return float(np.nanmedian(values)) if np.isfinite(values).any() else math.nan

        missed_ic = sum(r.missed_ic for r in rows)
        missed_to = sum(r.missed_to for r in rows)
        n_ic, n_to = sum(r.n_true_ic for r in rows), sum(r.n_true_to for r in rows)
        body += (
            f"\n| **median of {len(rows)} clips** | | | | | "
            f"| {med('ic_median_abs'):.2f} ({med('ic_signed_median'):+.2f}) "
            f"| {med('ic_p90_abs'):.2f} "
            f"| {med('to_median_abs'):.2f} ({med('to_signed_median'):+.2f}) "
            f"| {med('to_p90_abs'):.2f} | {missed_ic}/{n_ic} {missed_to}/{n_to} (sum) "
            f"| {med('contact_bias_ms'):+.1f} | {med('cadence_err_pct'):+.2f} |"
        )
    return head + body + "\n"


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=sorted(SPLITS), required=True)
    parser.add_argument(
        "--n", type=int, default=10, help="number of seeds (from the split's start)"
    )
    parser.add_argument(
        "--seeds", type=int, nargs="*", help="explicit seeds (must be in the split)"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/runform-varied-gait"))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    split = SPLITS[args.split]
    seeds = args.seeds if args.seeds else list(split)[: args.n]
    outside = [s for s in seeds if s not in split]
    if outside:
        parser.error(f"seeds {outside} are not in the {args.split} split ({split})")
    model = resolve_model()
    rows = []
    for seed in seeds:
        start = time.perf_counter()
        video, poses, truth_path = prepare(args.split, seed, args.work, model)
        row = evaluate(seed, video, poses, read_truth_json(truth_path))
        rows.append(row)
        print(
            to_markdown([row]).splitlines()[2], f"({time.perf_counter() - start:.0f} s)", flush=True
        )
    table = to_markdown(rows)
    print(table)
    if args.markdown:
        args.markdown.write_text(table)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2))


if __name__ == "__main__":
    main()
