"""The clip's gait metrics: spatiotemporal from the contacts and strides, kinematic from the angles.

Each metric is a :class:`runform.gait.metrics.Metric`; one that cannot be
measured carries the reason (no gait, too few strides, not a side view,
no height for metres).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.gait.events import Contact
from runform.gait.kinematics import compute_angles
from runform.gait.metrics import (
    Metric,
    compute_balance,
    compute_cadence,
    compute_contact_metrics,
    compute_vertical_oscillation,
    missing,
    summarise,
)
from runform.gait.prepare import _hip_centre
from runform.gait.stride_kinematics import (
    StrideAngles,
    compute_cycle_curves,
    compute_stride_angles,
)
from runform.gait.strides import Stride
from runform.scene.scale import Scale, median_finite
from runform.skeleton import SIDES

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class _Context:
    """Intermediate results shared by the metric helpers."""

    time: FloatArray
    position: xr.DataArray
    leg_px: FloatArray
    scale: Scale
    view: str
    setting: str
    activity: str
    no_gait_reason: str = "no gait: the person does not run or walk in this clip"


def _spatiotemporal(
    ctx: _Context, contacts: list[Contact], strides: list[Stride]
) -> dict[str, Metric]:
    if ctx.activity == "none" or len(strides) < 2:
        reason = (
            ctx.no_gait_reason
            if ctx.activity == "none"
            else f"fewer than 2 complete strides ({len(strides)}) in the clip"
        )
        names = {
            "cadence_spm": "spm",
            "ground_contact_ms": "ms",
            "flight_ms": "ms",
            "step_ms": "ms",
            "stride_ms": "ms",
            "duty_factor": "1",
        }
        metrics = {name: missing(unit, reason) for name, unit in names.items()}
        metrics["gct_balance_left_pct"] = missing("%", reason)
        metrics.update(_vertical_oscillation(ctx, contacts))
        metrics["step_length_m"] = _step_length(ctx, contacts)
        return metrics
    stride_s = np.array([s.stride_ms / 1000 for s in strides])
    weights = np.array([s.confidence for s in strides])
    metrics = {"cadence_spm": compute_cadence(stride_s, weights)}
    metrics.update(compute_contact_metrics(strides))
    if ctx.activity == "walking":
        metrics["flight_ms"] = missing("ms", "walking: there is no flight phase")
    elif (metrics["flight_ms"].value or 0.0) < 0:  # running with overlapping contacts
        metrics["flight_ms"] = missing(
            "ms",
            f"the contacts overlap (flight {metrics['flight_ms'].value:.0f} ms): a landing or "
            "take-off was missed or mis-timed (a block start, a hidden foot)",
        )
    metrics["gct_balance_left_pct"] = compute_balance(strides)
    metrics.update(_vertical_oscillation(ctx, contacts))
    metrics["step_length_m"] = _step_length(ctx, contacts)
    return metrics


def _vertical_oscillation(ctx: _Context, contacts: list[Contact]) -> dict[str, Metric]:
    ics = np.array(
        sorted(c.initial_contact_s for c in contacts if np.isfinite(c.initial_contact_s))
    )
    up = -_hip_centre(ctx.position)[:, 1]
    per_step = compute_vertical_oscillation(up / ctx.leg_px, ctx.time, ics)
    if ctx.scale.px_per_m is not None:
        cm = per_step * ctx.scale.leg_length_px / ctx.scale.px_per_m * 100.0
        return {"vertical_oscillation_cm": summarise(cm, "cm", min_n=2)}
    return {"vertical_oscillation_pct_leg": summarise(100.0 * per_step, "% leg", min_n=2)}


def _step_length(ctx: _Context, contacts: list[Contact]) -> Metric:
    if ctx.setting != "overground" or ctx.view != "side":
        return missing(
            "m", f"needs a static side view overground (this is {ctx.view}, {ctx.setting})"
        )
    if ctx.scale.px_per_m is None:
        return missing("m", "needs the runner's height (--height-cm) for metres")
    timed = sorted(
        (c for c in contacts if np.isfinite(c.initial_contact_s)), key=lambda c: c.start_s
    )
    spots = []
    for c in timed:
        x = np.asarray(ctx.position.sel(keypoint=f"{c.side}_foot_index", space="x"), dtype=float)
        inside = (ctx.time >= c.start_s) & (ctx.time <= c.stop_s)
        spots.append((c.side, median_finite(x[inside])))
    lengths = [
        abs(b[1] - a[1]) / ctx.scale.px_per_m for a, b in itertools.pairwise(spots) if a[0] != b[0]
    ]
    return summarise(lengths, "m", min_n=2)


def _kinematic_metrics(
    rows: list[StrideAngles], angles: xr.Dataset | None, reason: str
) -> dict[str, Metric]:
    wanted = {
        "knee_flexion_at_contact_deg": ("initial_contact", "knee_flexion"),
        "shank_angle_at_contact_deg": ("initial_contact", "shank_angle"),
        "foot_angle_at_contact_deg": ("initial_contact", "foot_angle"),
        "knee_flexion_mid_stance_deg": ("mid_stance", "knee_flexion"),
        "hip_flexion_at_toe_off_deg": ("toe_off", "hip_flexion"),
        "max_knee_flexion_swing_deg": ("max_knee_flexion_swing", "knee_flexion"),
    }
    if angles is None or len(rows) < 2:
        reason = reason or f"fewer than 2 complete strides ({len(rows)}) in the clip"
        out = {name: missing("deg", reason) for name in wanted}
        out["trunk_lean_deg"] = missing("deg", reason)
        return out
    out = {}
    for name, (event, angle) in wanted.items():
        values = np.array([r.values_deg[event][angle] for r in rows], dtype=float)
        weights = np.array([r.weight for r in rows], dtype=float)
        out[name] = summarise(values, "deg", weights=weights)
    out["trunk_lean_deg"] = _stride_means(angles["trunk_lean"], rows)
    return out


def _stride_means(angle: xr.DataArray, rows: list[StrideAngles]) -> Metric:
    """Mean of an angle over each stride (landing to next landing), then over strides."""
    time = np.asarray(angle["time"], dtype=float)
    values = np.asarray(angle.values, dtype=float)
    means = []
    for row in rows:
        start = row.times_s["initial_contact"]
        inside = (time >= start) & (time < start + row.stride_s)
        chunk = values[inside]
        means.append(float(np.nanmean(chunk)) if np.isfinite(chunk).any() else float("nan"))
    return summarise(means, "deg")


def _angle_reason(view: str, activity: str, n_strides: int) -> str:
    if view != "side":
        return f"sagittal angles need a side view; this is a {view} view"
    if activity == "none":
        return "no gait in the clip"
    return f"fewer than 2 complete strides ({n_strides}) in the clip" if n_strides < 2 else ""


def _kinematics(
    ds: xr.Dataset,
    position: xr.DataArray,
    strides: list[Stride],
    ahead: dict[str, FloatArray],
    near: str | None,
    view: str,
    sign: int,
) -> tuple[
    xr.Dataset | None, list[StrideAngles], dict[str, dict[str, tuple[FloatArray, FloatArray]]]
]:
    if view != "side":
        return None, [], {}
    angles = compute_angles(position, sign)
    weights = dict.fromkeys(SIDES, 1.0)  # the far leg's weight is in its confidence
    rows = compute_stride_angles(angles, strides, ahead, weights)
    return angles, rows, compute_cycle_curves(angles, strides)
