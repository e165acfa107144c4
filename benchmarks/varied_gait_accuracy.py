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
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from runform.gait.analysis import GaitSettings
from runform.gait.analyze import analyze_gait
from runform.io.camera_motion import measure_camera_motion
from runform.io.poses import load_poses, save_poses
from runform.pose.extract import ExtractionSettings, extract_poses
from runform.pose.models import ResolvedModel, resolve_model
from runform.synth import SyntheticTruth, read_truth_json, write_synthetic_clip
from runform.synth.variation import HELDOUT_SEEDS, TUNE_SEEDS, sample_varied_params

FloatArray = NDArray[np.float64]
SPLITS = {"tune": TUNE_SEEDS, "heldout": HELDOUT_SEEDS}
#: True events this close to the clip's ends (seconds) are not scored.
EDGE_S = 0.05


@dataclass
class ClipResult:
    """Event accuracy on one clip (errors in frames, positive = detected late)."""

    seed: int
    setting: str
    setting_found: str
    size: str
    fps: float
    strike: str
    hover_ms: float
    n_true_ic: int
    n_true_to: int
    ic_median_abs: float
    ic_signed_median: float
    ic_p90_abs: float
    to_median_abs: float
    to_signed_median: float
    to_p90_abs: float
    missed_ic: int
    missed_to: int
    contact_bias_ms: float
    contact_bias_events_ms: float
    cadence_err_pct: float
    analysis_s: float


def match_errors(detected: FloatArray, true: FloatArray, tolerance_s: float) -> FloatArray:
    """Signed error (s) of the nearest detected event to each true one (NaN if none is near).

    Parameters
    ----------
    detected, true
        Event times, seconds.
    tolerance_s
        Largest accepted distance, seconds (half a step).

    Returns
    -------
    numpy.ndarray
        One value per true event: ``detected - true`` seconds, or NaN.
    """
    out = np.full(true.size, np.nan)
    if detected.size == 0:
        return out
    for i, t in enumerate(true):
        nearest = detected[np.argmin(np.abs(detected - t))]
        if abs(nearest - t) <= tolerance_s:
            out[i] = nearest - t
    return out


def _stats(errors_frames: FloatArray) -> tuple[float, float, float]:
    """Median |e|, signed median, 90th percentile |e| (NaN when nothing matched)."""
    e = errors_frames[np.isfinite(errors_frames)]
    if e.size == 0:
        return math.nan, math.nan, math.nan
    return float(np.median(np.abs(e))), float(np.median(e)), float(np.percentile(np.abs(e), 90))


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


def evaluate(
    seed: int,
    video: Path,
    poses_path: Path,
    truth: SyntheticTruth,
    settings: GaitSettings | None = None,
) -> ClipResult:
    """Compare the analysis of one clip with its truth (default ``GaitSettings`` unless given)."""
    ds = load_poses(poses_path)
    motion = measure_camera_motion(video, ds)
    start = time.perf_counter()
    result = analyze_gait(
        ds, height_cm=truth.params.body_height_cm, camera_motion=motion, settings=settings
    )
    elapsed = time.perf_counter() - start
    fps = float(truth.fps)
    first, last = float(truth.frame_times_s[0]), float(truth.frame_times_s[-1])
    tolerance = 0.5 * truth.step_time_ms / 1000.0
    errors: dict[str, list[float]] = {"initial_contact": [], "toe_off": []}
    stance_pairs: list[float] = []
    for side in ("left", "right"):
        matched: dict[str, tuple[FloatArray, FloatArray]] = {}
        for kind in errors:
            detected = np.array(
                [e.time_s for e in result.events if e.side == side and e.type == kind]
            )
            times = truth.events_s[side][kind]
            true = times[(times > first + EDGE_S) & (times < last - EDGE_S)]
            err = match_errors(detected, true, tolerance)
            matched[kind] = (true, err)
            errors[kind] += list(err * fps)
        ic_times, ic_err = matched["initial_contact"]
        to_times, to_err = matched["toe_off"]
        contact_s = truth.contact_time_ms / 1000.0
        for t, e in zip(ic_times, ic_err, strict=True):
            k = np.nonzero(np.abs(to_times - (t + contact_s)) < 1e-6)[0]
            if k.size and np.isfinite(e) and np.isfinite(to_err[k[0]]):
                stance_pairs.append(1000.0 * float(to_err[k[0]] - e))
    ic, to = np.array(errors["initial_contact"]), np.array(errors["toe_off"])
    metric = result.metrics["ground_contact_ms"].value
    cadence = result.metrics["cadence_spm"].value
    params = truth.params
    ic_stats, to_stats = _stats(ic), _stats(to)
    return ClipResult(
        seed=seed,
        setting=params.setting,
        setting_found=result.capture.setting.label,
        size=f"{params.width_px}x{params.height_px}",
        fps=fps,
        strike=params.foot_strike,
        hover_ms=params.approach_hover_ms,
        n_true_ic=int(ic.size),
        n_true_to=int(to.size),
        ic_median_abs=ic_stats[0],
        ic_signed_median=ic_stats[1],
        ic_p90_abs=ic_stats[2],
        to_median_abs=to_stats[0],
        to_signed_median=to_stats[1],
        to_p90_abs=to_stats[2],
        missed_ic=int(np.isnan(ic).sum()),
        missed_to=int(np.isnan(to).sum()),
        contact_bias_ms=float(metric - truth.contact_time_ms) if metric is not None else math.nan,
        contact_bias_events_ms=float(np.median(stance_pairs)) if stance_pairs else math.nan,
        cadence_err_pct=100.0 * (cadence - truth.cadence_spm) / truth.cadence_spm
        if cadence is not None
        else math.nan,
        analysis_s=elapsed,
    )


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
