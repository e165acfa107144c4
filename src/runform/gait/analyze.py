"""``analyze_gait``: the gait stage from a poses dataset to a :class:`GaitAnalysis`.

See :mod:`runform.gait.result` for the order of the steps and the result.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.errors import NoPersonDetectedError
from runform.gait.com import compute_center_of_mass
from runform.gait.events import Contact, EventSettings, rescale_contact
from runform.gait.flight import compute_flight_share, compute_stance_bounce
from runform.gait.foot_contacts import detect_foot_contacts, enforce_alternation
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
from runform.gait.result import CaptureInfo, GaitAnalysis, GaitSettings
from runform.gait.signals import (
    compute_foot_height,
    compute_foot_rise_velocity,
    compute_toe_velocity,
)
from runform.gait.stride_kinematics import (
    StrideAngles,
    compute_cycle_curves,
    compute_stride_angles,
)
from runform.gait.strides import Stride, build_strides, list_events
from runform.gait.timebase import estimate_time_scale, reads_as_real_time
from runform.processing.clean import clean_poses, gate_confidence
from runform.processing.legswap import downweight_far_leg, estimate_near_side, repair_leg_swaps
from runform.processing.plausibility import (
    MAX_IMPLAUSIBLE_SHARE,
    PlausibilityReport,
    drop_implausible_legs,
)
from runform.scene.quality import CaptureWarning, QualityInputs, check_capture_quality
from runform.scene.runner import (
    RunnerChoice,
    choose_runner,
    summarise_tracks,
    track_id,
)
from runform.scene.scale import (
    LEG_FRACTION_OF_HEIGHT,
    Scale,
    compute_leg_length_px,
    estimate_scale,
    median_finite,
)
from runform.scene.setting import (
    ActivityEvidence,
    MotionEvidence,
    classify_activity,
    classify_setting,
)
from runform.scene.travel import (
    choose_single_direction_span,
    find_travel_segments,
    remove_camera_pan,
)
from runform.scene.view import (
    Classified,
    classify_depth_direction,
    classify_side_direction,
    classify_view,
    compute_facing,
)
from runform.skeleton import SIDES

FloatArray = NDArray[np.float64]
SETTING_CHOICES = ("auto", "treadmill", "overground", "tracking")


def _select(poses: xr.Dataset, individual: str | None) -> xr.Dataset:
    names = [str(n) for n in poses["individual"].values]
    if individual is None:
        individual = names[0]
    if individual not in names:
        raise ValueError(f"individual {individual!r} not in the poses; it has {names}")
    return poses.sel(individual=[individual])


def _position(ds: xr.Dataset) -> xr.DataArray:
    return ds["position"].isel(individual=0).transpose("time", "space", "keypoint")


def _classify_direction(position: xr.DataArray, view: Classified, leg_px: float) -> Classified:
    if view.label == "unknown":
        return Classified("unknown", 0.0, {})
    if view.label in ("front", "rear"):
        return classify_depth_direction(position, view.label)
    return classify_side_direction(position, leg_px)


def _clean(
    ds: xr.Dataset, settings: GaitSettings, view: str, direction: int
) -> tuple[xr.Dataset, str | None, PlausibilityReport]:
    """Clean with leg-swap repair (side views) and the plausibility gate; far leg down-weighted."""
    near: str | None = None
    found: list[PlausibilityReport] = []

    def repair(gated: xr.Dataset) -> xr.Dataset:
        if view in ("side", "oblique") and settings.repair_leg_swaps:
            gated = repair_leg_swaps(gated)
        gated, report = drop_implausible_legs(gated)
        found.append(report)
        return gated

    ds = clean_poses(ds, settings.cleaning, repair)
    plausibility = found[0]
    if view == "side":
        near, _ = estimate_near_side(ds, direction)
        ds = downweight_far_leg(ds, near, settings.far_leg_weight)
    return ds, near, plausibility


def _plausibility_warnings(report: PlausibilityReport) -> list[CaptureWarning]:
    """Describe the frames the plausibility gate dropped as capture warnings."""
    if report.n_implausible == 0:
        return []
    share = 100 * report.share
    text = (
        f"{report.n_implausible} of {report.n_frames} frames ({share:.0f} %) had a leg "
        "whose thigh, shin or foot was far longer than the runner's own (the pose model "
        "drew it onto something else); those legs were left out of those frames."
    )
    out = [CaptureWarning("implausible_pose", text)]
    if report.share > MAX_IMPLAUSIBLE_SHARE:
        out.append(
            CaptureWarning(
                "pose_unreliable",
                f"the pose model lost the runner's legs in {share:.0f} % of frames (more "
                f"than {100 * MAX_IMPLAUSIBLE_SHARE:.0f} %): checkpoints are not scored.",
            )
        )
    return out


def _hip_centre(position: xr.DataArray) -> FloatArray:
    hips = position.sel(keypoint=["left_hip", "right_hip"]).mean("keypoint", skipna=False)
    return np.asarray(hips.transpose("time", "space"), dtype=float)


def _detect_contacts(
    ds: xr.Dataset, leg_px: FloatArray, direction: int, settings: GaitSettings, view: str
) -> tuple[list[Contact], float]:
    """Contacts of both feet: on the clip's clock, or on the runner's own when that reads slow.

    See :mod:`runform.gait.timebase`: only when the steps found in real time
    are slower than any running (or there are too few) is the clock
    stretched by the legs' rhythm and the detection run again. Returns the
    contacts (on the clip's clock) and the stretch used (1 = none).
    """
    contacts = _detect_on_clock(ds, leg_px, direction, settings, view, 1.0)
    steps = [c.initial_contact_s for c in contacts]
    if reads_as_real_time(np.asarray(steps, dtype=float)):
        return contacts, 1.0
    scale = estimate_time_scale(_position(ds), direction, view)
    if scale <= 1.0:
        return contacts, 1.0
    return _detect_on_clock(ds, leg_px, direction, settings, view, scale), scale


def _detect_on_clock(
    ds: xr.Dataset,
    leg_px: FloatArray,
    direction: int,
    settings: GaitSettings,
    view: str,
    scale: float,
) -> list[Contact]:
    """Contacts of both feet found with the clock sped up ``scale`` times, on the clip's clock."""
    ds = ds.assign_coords(time=np.asarray(ds["time"], dtype=float) / scale)
    position = _position(ds)
    events = settings.events
    if view in ("front", "rear"):
        events = replace(events, to_method="height")
    time = np.asarray(ds["time"], dtype=float)
    contacts: list[Contact] = []
    for side in SIDES:
        height = compute_foot_height(position, side, leg_px, events)
        if view in ("front", "rear"):  # travel is along the camera axis: use the image rise
            velocity = compute_foot_rise_velocity(position, side, leg_px)
        else:
            velocity = compute_toe_velocity(position, side, direction, leg_px)
        conf = (
            ds["confidence"].isel(individual=0).sel(keypoint=[f"{side}_heel", f"{side}_foot_index"])
        )
        confidence = np.asarray(conf.mean("keypoint"), dtype=float)
        found = detect_foot_contacts(time, height, velocity, confidence, side, events)
        contacts += [rescale_contact(c, scale) for c in found]
    return sorted(contacts, key=lambda c: np.nan_to_num(c.start_s))


def _robust_speed(time: FloatArray, values: FloatArray) -> float:
    ok = np.isfinite(values)
    if ok.sum() < 3:
        return 0.0
    return float(abs(np.polyfit(time[ok], values[ok], 1)[0]))


def _measure_motion(
    position: xr.DataArray, contacts: list[Contact], leg_px: FloatArray, direction: Classified
) -> MotionEvidence:
    time = np.asarray(position["time"], dtype=float)
    hip_x = _hip_centre(position)[:, 0] / leg_px
    complete = [c for c in contacts if np.isfinite(c.contact_s)] or contacts
    slides = [abs(c.stance_velocity) for c in complete if np.isfinite(c.stance_velocity)]
    growth = float(direction.evidence.get("size_growth_per_s", 0.0))
    return MotionEvidence(
        travel_speed=_robust_speed(time, hip_x),
        stance_foot_speed=float(np.median(slides)) if slides else float("nan"),
        size_growth_per_s=growth,
    )


def _camera_speed(camera_motion: xr.DataArray | None, leg_px: FloatArray) -> float:
    """Median horizontal background speed, leg lengths/s (NaN when not measured)."""
    if camera_motion is None:
        return float("nan")
    speed = np.abs(np.asarray(camera_motion.sel(space="x"), dtype=float))
    speed = speed[np.isfinite(speed)]
    leg = median_finite(leg_px)
    if speed.size < 3 or not np.isfinite(leg) or leg <= 0:
        return float("nan")
    return float(np.median(speed)) / leg


def _ankle_ahead(
    position: xr.DataArray, direction: int, leg_px: FloatArray
) -> dict[str, FloatArray]:
    hip = _hip_centre(position)[:, 0]
    out = {}
    for side in SIDES:
        ankle = np.asarray(position.sel(keypoint=f"{side}_ankle", space="x"), dtype=float)
        out[side] = direction * (ankle - hip) / leg_px
    return out


def _leg_motion(
    position: xr.DataArray, ahead: dict[str, FloatArray], view: str, leg_px: FloatArray
) -> float:
    """Spread (5-95 %) of the legs' motion, leg lengths.

    Side views: the ankles' fore-aft travel relative to the hips. Front and
    rear views: the height difference between the two ankles (one foot up in
    swing, the other down).
    """
    if view in ("front", "rear"):
        left = np.asarray(position.sel(keypoint="left_ankle", space="y"), dtype=float)
        right = np.asarray(position.sel(keypoint="right_ankle", space="y"), dtype=float)
        values = (left - right) / leg_px
    else:
        values = np.concatenate([ahead["left"], ahead["right"]])
    values = values[np.isfinite(values)]
    return float(np.percentile(values, 95) - np.percentile(values, 5)) if values.size else 0.0


def _measure_activity(
    position: xr.DataArray,
    leg_px: FloatArray,
    gait: tuple[list[Contact], list[Stride]],
    ahead: dict[str, FloatArray],
    view: str,
    clock: tuple[EventSettings, float],
) -> ActivityEvidence:
    """Activity evidence; foot heights on the clock the contacts were found on."""
    contacts, strides = gait
    events, scale = clock
    time = np.asarray(position["time"], dtype=float)
    canonical = position.assign_coords(time=time / scale)
    heights = [compute_foot_height(canonical, side, leg_px, events) for side in SIDES]
    hip_up = -_hip_centre(position)[:, 1] / median_finite(leg_px)  # one leg: no stride wobble
    sweeps = []
    if view not in ("front", "rear"):  # fore-aft sweep is along the camera axis there
        for c in contacts:
            if np.isfinite(c.initial_contact_s) and np.isfinite(c.toe_off_s):
                at = np.interp([c.initial_contact_s, c.toe_off_s], time, ahead[c.side])
                sweeps.append(at[0] - at[1])
    duty = [s.duty_factor for s in strides if np.isfinite(s.duty_factor)]
    return ActivityEvidence(
        n_contacts=len(contacts),
        duty_factor=float(np.median(duty)) if duty else float("nan"),
        foot_sweep=float(np.median(sweeps)) if sweeps else float("nan"),
        leg_motion=_leg_motion(position, ahead, view, leg_px),
        flight_share=compute_flight_share(heights[0], heights[1]),
        stance_bounce=compute_stance_bounce(time, hip_up, contacts),
    )


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


def analyze_gait(
    poses: xr.Dataset,
    *,
    height_cm: float | None = None,
    setting: str = "auto",
    individual: str | None = None,
    settings: GaitSettings | None = None,
    camera_motion: xr.DataArray | None = None,
    person: RunnerChoice | None = None,
) -> GaitAnalysis:
    """Analyse the running (or walking) in a poses dataset.

    Parameters
    ----------
    poses
        A poses dataset (see :mod:`runform.io.poses`).
    height_cm
        The runner's standing height, cm; enables metres and centimetres.
    setting
        ``"auto"`` to classify, or force ``"treadmill"``, ``"overground"`` or
        ``"tracking"``.
    individual
        Which individual to analyse by name (default: the runner, chosen by
        :func:`runform.scene.runner.choose_runner` when there are several).
    settings
        Analysis parameters.
    camera_motion
        Background velocity in the image (dims ``time, space``, px/s; from
        :func:`runform.scene.camera_motion.measure_camera_motion`), any subset
        of the clip's times. It tells a tracking camera from a treadmill;
        without it a still runner with sliding feet is taken for a treadmill.
    person
        The person to analyse and how they were chosen (e.g. by the coach,
        :func:`runform.scene.runner.decide_runner`); overrides ``individual``.

    Returns
    -------
    GaitAnalysis
        Immutable result: capture information, events, strides, metrics,
        kinematics.

    Raises
    ------
    ValueError
        On an unknown ``setting`` or ``individual``, or a height outside
        50-250 cm.
    """
    if setting not in SETTING_CHOICES:
        raise ValueError(f"setting must be one of {SETTING_CHOICES}, got {setting!r}")
    settings = settings or GaitSettings()
    person = person or _choose_person(poses, individual)
    ds = _check_usable(_with_frames(_select(poses, person.individual)))
    ds = gate_confidence(ds, settings.cleaning.confidence_threshold)
    ds, notes = _keep_one_direction(ds, camera_motion)
    raw_position = _position(ds)
    raw_leg = compute_leg_length_px(raw_position)
    view = classify_view(raw_position)
    direction = _classify_direction(raw_position, view, median_finite(raw_leg))
    sign = -1 if direction.label == "left" else 1
    ds, near, plausibility = _clean(ds, settings, view.label, sign)
    notes.extend(_plausibility_warnings(plausibility))
    position = _position(ds)
    time = np.asarray(ds["time"], dtype=float)
    leg_px = compute_leg_length_px(position)
    scale = estimate_scale(leg_px, height_cm)
    found, clock = _detect_contacts(ds, leg_px, sign, settings, view.label)
    contacts = enforce_alternation(found)
    strides = build_strides(contacts)
    motion = _measure_motion(position, contacts, leg_px, direction)
    motion = replace(motion, camera_speed=_camera_speed(camera_motion, leg_px))
    found_setting = classify_setting(view.label, motion)
    if view.label == "unknown":
        found_setting = Classified("unknown", 0.0, found_setting.evidence)
    if setting != "auto":
        found_setting = Classified(setting, 1.0, {**found_setting.evidence, "given": 1.0})
    ahead = _ankle_ahead(position, sign, leg_px)
    evidence = _measure_activity(
        position, leg_px, (contacts, strides), ahead, view.label, (settings.events, clock)
    )
    ground = np.nanmax([motion.travel_speed, motion.stance_foot_speed, 0.0])
    activity = classify_activity(replace(evidence, ground_speed=float(ground)))
    feet = _feet_visible_rate(position)
    ctx = _Context(time, position, leg_px, scale, view.label, found_setting.label, activity.label)
    if feet < 0.5:
        ctx = replace(
            ctx,
            no_gait_reason=f"the feet are visible in only {100 * feet:.0f} % of frames: "
            "gait cannot be measured",
        )
        notes.append(
            CaptureWarning(
                "feet_not_visible",
                f"the feet are visible in only {100 * feet:.0f} % of frames; film the "
                "whole body, feet included.",
            )
        )
    metrics = _spatiotemporal(ctx, contacts, strides)
    angles, rows, curves = _kinematics(ds, position, strides, ahead, near, view.label, sign)
    reason = _angle_reason(view.label, activity.label, len(strides))
    metrics.update(_kinematic_metrics(rows, angles, reason))
    capture = _capture_info(
        ds,
        (view, direction, found_setting, activity),
        scale,
        near,
        len(strides),
        notes,
        metrics["cadence_spm"].value,
    )
    return GaitAnalysis(
        capture=capture,
        events=tuple(list_events(contacts, time, np.asarray(ds["frame"], dtype=float))),
        contacts=tuple(contacts),
        strides=tuple(strides),
        metrics=MappingProxyType(metrics),
        stride_angles=tuple(rows),
        cycle_curves=_freeze_curves(curves),
        poses=ds,
        angles=angles,
        center_of_mass=compute_center_of_mass(position),
        settings=settings,
        person=person,
    )


def _choose_person(poses: xr.Dataset, individual: str | None) -> RunnerChoice:
    """Choose the named individual, or the runner by the documented rule."""
    names = [str(n) for n in poses["individual"].values]
    if individual is not None and individual not in names:
        raise ValueError(f"individual {individual!r} not in the poses; it has {names}")
    if individual is None and len(names) == 1:
        individual = names[0]
    tracks = summarise_tracks(poses)
    if individual is None:
        return choose_runner(tracks) if tracks else _unseen(names[0])
    return RunnerChoice(individual, track_id(individual), "requested", 1.0,
                        f"requested by name ({individual})", tuple(tracks))  # fmt: skip


def _unseen(individual: str) -> RunnerChoice:
    return RunnerChoice(individual, track_id(individual), "only person", 0.0, "nobody was seen", ())


def _freeze_curves(
    curves: dict[str, dict[str, tuple[FloatArray, FloatArray]]],
) -> MappingProxyType[str, Mapping[str, tuple[FloatArray, FloatArray]]]:
    """Read-only mappings of read-only arrays."""
    for per_side in curves.values():
        for arrays in per_side.values():
            for array in arrays:
                array.flags.writeable = False
    return MappingProxyType({side: MappingProxyType(c) for side, c in curves.items()})


def _with_frames(ds: xr.Dataset) -> xr.Dataset:
    """Give poses without a ``frame`` coordinate one (0, 1, 2, ...)."""
    if "frame" in ds.coords:
        return ds
    return ds.assign_coords(frame=("time", np.arange(ds.sizes["time"])))


def _check_usable(ds: xr.Dataset) -> xr.Dataset:
    """Refuse poses that cannot hold a gait: too few frames, or nobody in them."""
    n = ds.sizes["time"]
    if n < 3:
        raise ValueError(f"a gait needs a clip of several frames; these poses have {n}")
    time = np.asarray(ds["time"], dtype=float)
    if not np.isfinite(time).all() or not np.all(np.diff(time) > 0):
        raise ValueError("the poses' times must be finite and strictly increasing")
    position = np.asarray(ds["position"].isel(individual=0), dtype=float)
    if not np.isfinite(position).any():
        raise NoPersonDetectedError(
            "nobody was detected in any frame, so there is no gait to analyse",
            hint="check that the runner is in view, large enough and lit",
        )
    return ds


def _feet_visible_rate(position: xr.DataArray) -> float:
    """Fraction of frames in which at least one heel or toe is placed."""
    names = [f"{s}_{p}" for s in SIDES for p in ("heel", "foot_index")]
    feet = np.asarray(position.sel(keypoint=names).transpose("time", ...), dtype=float)
    return float(np.mean(np.isfinite(feet.reshape(feet.shape[0], -1)).any(axis=1)))


def _keep_one_direction(
    ds: xr.Dataset, camera_motion: xr.DataArray | None
) -> tuple[xr.Dataset, list[CaptureWarning]]:
    """Cut a clip in which the runner turns to its longest one-way stretch.

    Travel is judged over the ground: a panning camera's motion is removed
    first (:func:`remove_camera_pan`), so a tracking shot whose framing
    drifts back and forth is not taken for a runner who turns.
    """
    position = _position(ds)
    time = np.asarray(ds["time"], dtype=float)
    leg = median_finite(compute_leg_length_px(position))
    if not np.isfinite(leg):
        return ds, []
    hip_x = _hip_centre(position)[:, 0]
    if camera_motion is not None and camera_motion.sizes.get("time", 0) > 1:
        pan = np.asarray(camera_motion.sel(space="x"), dtype=float)
        hip_x = remove_camera_pan(time, hip_x, np.asarray(camera_motion["time"], float), pan)
    segments = find_travel_segments(time, hip_x, leg)
    span = choose_single_direction_span(segments, compute_facing(position))
    if span is None:
        return ds, []
    frames = np.asarray(ds["frame"])
    note = CaptureWarning(
        "direction_changes",
        f"the runner changes direction in this clip; only frames {frames[span[0]]}-"
        f"{frames[span[1] - 1]} (the longest stretch moving forward one way) are analysed.",
    )
    return ds.isel(time=slice(*span)), [note]


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


def _capture_info(
    ds: xr.Dataset,
    labels: tuple[Classified, Classified, Classified, Classified],
    scale: Scale,
    near: str | None,
    n_strides: int,
    notes: list[CaptureWarning],
    cadence: float | None,
) -> CaptureInfo:
    view, direction, setting, activity = labels
    time = np.asarray(ds["time"], dtype=float)
    fps = 1.0 / float(np.median(np.diff(time))) if time.size > 1 else float("nan")
    width = int(ds.attrs.get("frame_width", 0))
    height = int(ds.attrs.get("frame_height", 0))
    positions = np.asarray(ds["position"].isel(individual=0).transpose("time", ...), dtype=float)
    detected = np.isfinite(positions.reshape(positions.shape[0], -1)).any(axis=1)
    legs = (
        ds["confidence"]
        .isel(individual=0)
        .sel(keypoint=[f"{s}_{p}" for s in SIDES for p in ("hip", "knee", "ankle")])
    )
    quality = QualityInputs(
        fps=fps,
        frame_height_px=float(height) if height else float("nan"),
        body_height_px=scale.leg_length_px / LEG_FRACTION_OF_HEIGHT,
        n_strides=n_strides,
        median_confidence=median_finite(np.asarray(legs.values)) if legs.size else 0.0,
        detection_rate=float(np.mean(detected)) if detected.size else 0.0,
        view=view.label,
        activity=activity.label,
        cadence_spm=cadence if cadence is not None else float("nan"),
    )
    return CaptureInfo(
        view=view,
        direction=direction,
        setting=setting,
        activity=activity,
        scale=scale,
        fps=fps,
        duration_s=float(time[-1] - time[0]) if time.size else 0.0,
        frame_size_px=(width, height),
        detection_rate=quality.detection_rate,
        near_side=near,
        warnings=tuple(notes + check_capture_quality(quality)),
    )
