"""Accuracy of the gait engine on the synthetic runner, through real MediaPipe.

Renders each case, extracts poses with MediaPipe, runs ``analyze_gait`` and
compares with the exact truth. Writes a Markdown table (``--markdown``) and a
JSON file (``--json``).

    python benchmarks/gait_accuracy.py --work /tmp/gait-acc --markdown docs/accuracy-table.md

Rendered clips and poses are kept under ``--work`` and reused on the next
run, so tuning the analysis does not repeat inference.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from runform.gait.analyze import analyze_gait
from runform.io.poses import load_poses
from runform.pose.extract import ExtractionSettings, extract_poses
from runform.pose.models import resolve_model
from runform.scene.camera_motion import measure_camera_motion
from runform.synth import (
    PRESETS,
    RunnerParams,
    SyntheticTruth,
    read_truth_json,
    write_synthetic_clip,
)


def build_cases() -> dict[str, RunnerParams]:
    """Presets in both directions, overground and treadmill, 30 and 60 fps."""
    wide = {"width_px": 1920, "height_px": 1080, "figure_height_frac": 0.42}
    return {
        "pose_runner_right_60": PRESETS["pose_runner"].with_overrides(**wide),
        "pose_runner_left_60": PRESETS["pose_runner_left"].with_overrides(**wide),
        "pose_runner_right_30": PRESETS["slow_fps"].with_overrides(**wide),
        "heel_striker_right_60": PRESETS["heel_striker"].with_overrides(**wide),
        "heel_striker_left_30": PRESETS["heel_striker"].with_overrides(
            direction="left", fps=Fraction(30), seed=11, **wide
        ),
        "waist_bender_right_60": PRESETS["waist_bender"].with_overrides(**wide),
        "treadmill_right_60": PRESETS["treadmill"],
        "treadmill_right_30": PRESETS["treadmill"].with_overrides(fps=Fraction(30), seed=13),
        "treadmill_left_60": PRESETS["treadmill"].with_overrides(direction="left", seed=14),
        "heel_striker_treadmill_left_60": PRESETS["heel_striker_treadmill"],
        "portrait_treadmill_29.97": PRESETS["ntsc_portrait"],
        "high_fps_240": PRESETS["high_fps"],
        "tracking_right_60": PRESETS["tracking_shot"],
        "tracking_left_30": PRESETS["tracking_shot"].with_overrides(
            direction="left", fps=Fraction(30), seed=21
        ),
    }


def prepare(name: str, params: RunnerParams, work: Path, model: object) -> tuple[Path, Path]:
    """Render and extract once; return (poses path, truth path)."""
    folder = work / name
    poses_path = folder / "poses.nc"
    truth_path = folder / f"{name}.truth.json"
    if poses_path.exists() and truth_path.exists():
        return poses_path, truth_path
    folder.mkdir(parents=True, exist_ok=True)
    clip = write_synthetic_clip(params, folder, name=name)
    from runform.io.poses import save_poses

    ds = extract_poses(clip.video_path, model, ExtractionSettings(), workers=1)  # type: ignore[arg-type]
    save_poses(ds, poses_path)
    return poses_path, clip.truth_path


def match_errors(estimated: np.ndarray, truth: np.ndarray, tolerance_s: float) -> np.ndarray:
    """Signed error of the nearest estimate to each true event (NaN when missed)."""
    errors = []
    for t in truth:
        if estimated.size == 0:
            errors.append(np.nan)
            continue
        nearest = estimated[np.argmin(np.abs(estimated - t))]
        errors.append(nearest - t if abs(nearest - t) <= tolerance_s else np.nan)
    return np.asarray(errors, dtype=float)


def inside(times: np.ndarray, first: float, last: float) -> np.ndarray:
    """True events far enough from the clip's ends to be detectable."""
    return times[(times > first + 0.05) & (times < last - 0.05)]


@dataclass
class Row:
    """Accuracy of one case."""

    name: str
    fps: float
    setting: str
    strides: int
    cadence_err_pct: float
    ic_err_frames: float
    to_err_frames: float
    ic_bias_frames: float
    to_bias_frames: float
    missed_events: str
    gct_err_ms: float
    knee_ic_err_deg: float
    trunk_err_deg: float
    analysis_s: float


def evaluate(name: str, poses_path: Path, truth: SyntheticTruth) -> Row:
    """Compare the analysis of one case with its truth."""
    ds = load_poses(poses_path)
    motion = measure_camera_motion(poses_path.parent / f"{name}.mp4", ds)
    start = time.perf_counter()
    result = analyze_gait(ds, height_cm=truth.params.body_height_cm, camera_motion=motion)
    elapsed = time.perf_counter() - start
    fps = float(truth.fps)
    first, last = float(ds.time.values[0]), float(ds.time.values[-1])
    tol = 0.5 * truth.step_time_ms / 1000
    errs: dict[str, list[float]] = {"initial_contact": [], "toe_off": []}
    for side in ("left", "right"):
        for kind in errs:
            est = np.array([e.time_s for e in result.events if e.side == side and e.type == kind])
            true = inside(truth.events_s[side][kind], first, last)
            errs[kind] += list(match_errors(est, true, tol) * fps)
    ic, to = np.array(errs["initial_contact"]), np.array(errs["toe_off"])
    n_missed = int(np.isnan(ic).sum() + np.isnan(to).sum())
    metrics = result.metrics
    knee_truth = float(np.mean([c.knee_flexion_deg for c in truth.contacts]))

    def err(metric: str, reference: float) -> float:
        value = metrics[metric].value
        return float(value - reference) if value is not None else float("nan")

    cadence = metrics["cadence_spm"].value
    return Row(
        name=name,
        fps=fps,
        setting=result.capture.setting.label,
        strides=len(result.strides),
        cadence_err_pct=100 * (cadence - truth.cadence_spm) / truth.cadence_spm
        if cadence is not None
        else float("nan"),
        ic_err_frames=float(np.nanmedian(np.abs(ic))) if np.isfinite(ic).any() else float("nan"),
        to_err_frames=float(np.nanmedian(np.abs(to))) if np.isfinite(to).any() else float("nan"),
        ic_bias_frames=float(np.nanmedian(ic)) if np.isfinite(ic).any() else float("nan"),
        to_bias_frames=float(np.nanmedian(to)) if np.isfinite(to).any() else float("nan"),
        missed_events=f"{n_missed}/{ic.size + to.size}",
        gct_err_ms=err("ground_contact_ms", truth.contact_time_ms),
        knee_ic_err_deg=err("knee_flexion_at_contact_deg", knee_truth),
        trunk_err_deg=err("trunk_lean_deg", float(np.mean(truth.angles_deg["trunk_lean"]))),
        analysis_s=elapsed,
    )


def to_markdown(rows: list[Row]) -> str:
    """Render the rows as a Markdown table."""
    head = (
        "| case | fps | setting found | strides | cadence err % "
        "| IC err frames: median abs (signed) "
        "| TO err frames: median abs (signed) | missed events | GCT err ms | knee@IC err ° "
        "| trunk lean err ° |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = [
        f"| {r.name} | {r.fps:.2f} | {r.setting} | {r.strides} | {r.cadence_err_pct:+.2f} "
        f"| {r.ic_err_frames:.2f} ({r.ic_bias_frames:+.2f}) "
        f"| {r.to_err_frames:.2f} ({r.to_bias_frames:+.2f}) | {r.missed_events} "
        f"| {r.gct_err_ms:+.1f} | {r.knee_ic_err_deg:+.1f} | {r.trunk_err_deg:+.1f} |"
        for r in rows
    ]
    return head + "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/runform-gait-accuracy"))
    parser.add_argument("--only", nargs="*", help="case names to run")
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    model = resolve_model()
    rows = []
    for name, params in build_cases().items():
        if args.only and name not in args.only:
            continue
        poses_path, truth_path = prepare(name, params, args.work, model)
        row = evaluate(name, poses_path, read_truth_json(truth_path))
        rows.append(row)
        print(to_markdown([row]).splitlines()[-1], flush=True)
    table = to_markdown(rows)
    print(table)
    if args.markdown:
        args.markdown.write_text(table)
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=2))


if __name__ == "__main__":
    main()
