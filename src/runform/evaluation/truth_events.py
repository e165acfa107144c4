"""Detected gait events against the exact truth of a synthetic clip.

Each true event is matched to the nearest detected event of the same type
and side within half a step; unmatched true events count as missed. Errors
are in frames of the clip (positive = detected late). Used by
``benchmarks/varied_gait_accuracy.py`` and the held-out tests.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from runform.gait.analyze import analyze_gait
from runform.gait.result import GaitSettings
from runform.io.poses import load_poses
from runform.scene.camera_motion import measure_camera_motion
from runform.synth import SyntheticTruth

FloatArray = NDArray[np.float64]
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


def summarise_errors(errors_frames: FloatArray) -> tuple[float, float, float]:
    """Return median |e|, signed median, 90th percentile |e| (NaN when nothing matched)."""
    e = errors_frames[np.isfinite(errors_frames)]
    if e.size == 0:
        return math.nan, math.nan, math.nan
    return float(np.median(np.abs(e))), float(np.median(e)), float(np.percentile(np.abs(e), 90))


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
    ic_stats, to_stats = summarise_errors(ic), summarise_errors(to)
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
