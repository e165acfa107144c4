"""Score every rubric checkpoint on a gait analysis.

Pure: a :class:`~runform.gait.result.GaitAnalysis` and a
:class:`~runform.checkpoints.rubric.Rubric` in, a tuple of
:class:`~runform.checkpoints.results.CheckpointResult` out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from runform.checkpoints.measures import MEASURE_UNITS, StrideMeasures, compute_stride_measures
from runform.checkpoints.results import CheckpointResult
from runform.checkpoints.rubric import RUNNING_SETTINGS, Band, Checkpoint, Rubric
from runform.checkpoints.scoring import (
    NOT_MEASURED,
    OBSERVED,
    bootstrap_mean,
    classify_status,
    combine_uncertainty,
    compute_floor,
    compute_score,
)
from runform.gait.result import GaitAnalysis

#: Fewest strides behind a per-stride checkpoint.
MIN_STRIDES = 2
#: Units of checkpoints that depend on real time (refused on slow-motion clips).
TIME_UNITS = ("ms", "spm", "s")
#: Bootstrap resamples for the uncertainty of per-stride means.
N_BOOTSTRAP = 2000

#: Why the fall angle cannot be read in a setting (other checkpoints say the setting).
_FALL_REASONS = {
    "treadmill": "on a treadmill the belt carries the runner, so the fall does not show as lean",
    "tracking": "a camera that follows the runner gives no fixed ground point to fall from",
}


def _not_measured(checkpoint: Checkpoint, unit: str, reason: str) -> CheckpointResult:
    band = checkpoint.band
    return CheckpointResult(
        id=checkpoint.id,
        name=checkpoint.name,
        element=checkpoint.element,
        value=None,
        unit=unit,
        uncertainty=None,
        target=band.target,
        score=None,
        status=NOT_MEASURED,
        reason=reason,
        cue=checkpoint.cue,
        drills=checkpoint.drills,
        metric=band.metric,
    )


def _scored(
    checkpoint: Checkpoint,
    band: Band,
    value: float,
    unit: str,
    uncertainty: float,
    n: int,
    details: dict[str, Any],
) -> CheckpointResult:
    status, reason = classify_status(value, band, uncertainty)
    details = {**details, "score_range": score_range(value, uncertainty, band)}
    score: float | None = compute_score(value, band)
    if not checkpoint.scored:
        status, score = OBSERVED, None
        reason = "an observation, not scored: no known target tells good from poor on real runners"
        details.pop("score_range")
    return CheckpointResult(
        id=checkpoint.id,
        name=checkpoint.name,
        element=checkpoint.element,
        value=value,
        unit=unit,
        uncertainty=uncertainty,
        target=band.target,
        score=score,
        status=status,
        reason=reason,
        cue=checkpoint.cue,
        drills=checkpoint.drills,
        n=n,
        metric=band.metric,
        details=details,
    )


def score_range(value: float, uncertainty: float, band: Band) -> list[float]:
    """Lowest and highest score within ``value ± uncertainty`` (the target included)."""
    low, high = value - uncertainty, value + uncertainty
    scores = [compute_score(v, band) for v in (low, value, high)]
    if band.target[1] >= low and band.target[0] <= high:
        scores.append(100.0)
    return [min(scores), max(scores)]


def _unit_of(metric: str, gait: GaitAnalysis) -> str:
    if metric in MEASURE_UNITS:
        return MEASURE_UNITS[metric]
    found = gait.metrics.get(metric)
    return found.unit if found is not None else ""


def _applicability(checkpoint: Checkpoint, band: Band, gait: GaitAnalysis, activity: str) -> str:
    """Why the checkpoint does not apply to this clip, or ``""`` when it does."""
    capture = gait.capture
    unreliable = [w for w in capture.warnings if w.code == "pose_unreliable"]
    if unreliable:
        return unreliable[0].message
    if activity != "running":
        return f"the clip shows {activity.replace('_', ' ')}, not running"
    setting = capture.setting.label
    if setting not in checkpoint.applies:
        generic = f"not scored for {setting} footage"
        return _FALL_REASONS.get(setting, generic) if checkpoint.id == "fall_angle" else generic
    view = capture.view.label
    if view not in checkpoint.views:
        return f"needs a {' or '.join(checkpoint.views)} view; this clip is a {view} view"
    if len(gait.strides) < MIN_STRIDES:
        return f"needs at least {MIN_STRIDES} strides, the clip has {len(gait.strides)}"
    slow = [w for w in capture.warnings if w.code == "possible_slow_motion"]
    if slow and _unit_of(band.metric, gait) in TIME_UNITS:
        return (
            "the clip looks like slow motion, so its times are not real time; "
            "run again with --slowmo FACTOR"
        )
    return ""


def _per_side(measures: StrideMeasures, values: np.ndarray) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    sides = np.array(measures.sides)
    for side in ("left", "right"):
        pick = (sides == side) & np.isfinite(values) & (measures.weights > 0)
        out[side] = (
            float(np.average(values[pick], weights=measures.weights[pick])) if pick.any() else None
        )
    return out


def _timing_details(metric: str, value: float, fps: float) -> dict[str, Any]:
    if not metric.endswith("_ms"):
        return {}
    return {"frames": value * fps / 1000.0, "fps": fps}


def _score_per_stride(
    checkpoint: Checkpoint,
    band: Band,
    gait: GaitAnalysis,
    measures: StrideMeasures,
    rng: np.random.Generator,
) -> CheckpointResult:
    unit = MEASURE_UNITS[band.metric]
    values = np.asarray(measures.values[band.metric], dtype=float)
    mean, spread, n = bootstrap_mean(values, measures.weights, N_BOOTSTRAP, rng)
    if n < MIN_STRIDES:
        return _not_measured(
            checkpoint, unit, f"needs at least {MIN_STRIDES} measured strides, got {n}"
        )
    fps = gait.capture.fps
    uncertainty = combine_uncertainty(spread, compute_floor(band, fps))
    details: dict[str, Any] = {
        "per_side": _per_side(measures, values),
        "spread": spread,
        "per_stride": [
            {
                "start_s": round(t, 3),
                "side": side,
                "value": None if not np.isfinite(v) else float(v),
            }
            for t, side, v in zip(measures.starts_s, measures.sides, values, strict=True)
        ],
    }
    details |= _timing_details(band.metric, mean, fps)
    return _scored(checkpoint, band, mean, unit, uncertainty, n, details)


def _score_gait_metric(checkpoint: Checkpoint, band: Band, gait: GaitAnalysis) -> CheckpointResult:
    metric = gait.metrics[band.metric]
    if metric.value is None:
        return _not_measured(checkpoint, metric.unit, metric.reason or "not measured")
    spread = metric.sem if metric.sem is not None else float("nan")
    uncertainty = combine_uncertainty(spread, compute_floor(band, gait.capture.fps))
    details = {"sd": metric.sd}
    return _scored(checkpoint, band, metric.value, metric.unit, uncertainty, metric.n, details)


def _is_available(band: Band, gait: GaitAnalysis) -> bool:
    if band.metric in MEASURE_UNITS:
        return True
    found = gait.metrics.get(band.metric)
    return found is not None and found.value is not None


def choose_band(
    checkpoint: Checkpoint, gait: GaitAnalysis, baseline: Mapping[str, float] | None
) -> tuple[Band, dict[str, Any]]:
    """Pick the band to score with.

    The fallback when the main metric is missing; the runner's own baseline
    when the rubric asks for it and one is given.
    """
    band = checkpoint.band
    fallback = checkpoint.fallback
    if not _is_available(band, gait) and fallback is not None and _is_available(fallback, gait):
        band = fallback
    info: dict[str, Any] = {}
    reference = None if baseline is None else baseline.get(band.metric)
    relative = checkpoint.baseline_relative_pct
    if relative is not None and reference is not None and math.isfinite(reference):
        low, high = relative
        band = replace(band, target=(reference * (1 + low / 100), reference * (1 + high / 100)))
        info = {"baseline": reference, "target_from": "baseline"}
    return band, info


def select_running_checkpoints(rubric: Rubric) -> tuple[Checkpoint, ...]:
    """Select the checkpoints that apply to running (any running setting), in rubric order."""
    return tuple(c for c in rubric.checkpoints if set(c.applies) & set(RUNNING_SETTINGS))


def score_checkpoints(
    gait: GaitAnalysis,
    rubric: Rubric,
    baseline: Mapping[str, float] | None = None,
    seed: int = 0,
    activity: str | None = None,
) -> tuple[CheckpointResult, ...]:
    """Score every checkpoint of the rubric on one running clip.

    Parameters
    ----------
    gait
        The gait analysis of the clip.
    rubric
        Checkpoints and drills (:func:`~runform.checkpoints.rubric.load_rubric`).
    baseline
        The runner's own earlier values by metric name (e.g.
        ``{"cadence_spm": 168.0}``); checkpoints with
        ``baseline_relative_pct`` are then scored against it.
    seed
        Seed of the bootstrap (results are repeatable for a given seed).
    activity
        What the clip shows when the caller knows better than the gait
        stage's label (e.g. an in-place drill found from its repetitions);
        default the label. Only ``running`` is scored.

    Returns
    -------
    tuple of CheckpointResult
        The running checkpoints (those that apply to a running setting), in
        rubric order.
    """
    rng = np.random.default_rng(seed)
    measures = compute_stride_measures(gait)
    out = []
    for checkpoint in select_running_checkpoints(rubric):
        band, info = choose_band(checkpoint, gait, baseline)
        unit = _unit_of(band.metric, gait)
        why = _applicability(checkpoint, band, gait, activity or gait.capture.activity.label)
        if why:
            out.append(_not_measured(checkpoint, unit, why))
            continue
        if band.metric in MEASURE_UNITS:
            result = _score_per_stride(checkpoint, band, gait, measures, rng)
        elif band.metric in gait.metrics:
            result = _score_gait_metric(checkpoint, band, gait)
        else:
            result = _not_measured(checkpoint, unit, f"unknown metric {band.metric!r}")
        if info:
            result = replace(result, details={**result.details, **info})
        out.append(result)
    return tuple(out)
