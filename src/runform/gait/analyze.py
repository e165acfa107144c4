"""``analyze_gait``: the gait stage from a poses dataset to a :class:`GaitAnalysis`.

See :mod:`runform.gait.result` for the order of the steps and the result.
This module runs the steps in order; they live in :mod:`runform.gait.prepare`
(person, usable frames, one direction, cleaning),
:mod:`runform.gait.clip_contacts` (contacts of both feet),
:mod:`runform.gait.evidence` (evidence for the scene classifiers) and
:mod:`runform.gait.clip_metrics` (the metrics).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.gait.clip_contacts import _detect_contacts
from runform.gait.clip_metrics import (
    _angle_reason,
    _Context,
    _kinematic_metrics,
    _kinematics,
    _spatiotemporal,
)
from runform.gait.com import compute_center_of_mass
from runform.gait.evidence import (
    _ankle_ahead,
    _camera_speed,
    _feet_visible_rate,
    _measure_activity,
    _measure_motion,
)
from runform.gait.foot_contacts import enforce_alternation
from runform.gait.prepare import (
    _check_usable,
    _choose_person,
    _classify_direction,
    _clean,
    _keep_one_direction,
    _plausibility_warnings,
    _position,
    _select,
    _with_frames,
)
from runform.gait.result import CaptureInfo, GaitAnalysis, GaitSettings
from runform.gait.strides import build_strides, list_events
from runform.processing.clean import gate_confidence
from runform.scene.quality import CaptureWarning, QualityInputs, check_capture_quality
from runform.scene.runner import RunnerChoice
from runform.scene.scale import (
    LEG_FRACTION_OF_HEIGHT,
    Scale,
    compute_leg_length_px,
    estimate_scale,
    median_finite,
)
from runform.scene.setting import classify_activity, classify_setting
from runform.scene.view import Classified, classify_view
from runform.skeleton import SIDES

FloatArray = NDArray[np.float64]
SETTING_CHOICES = ("auto", "treadmill", "overground", "tracking")


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


def _freeze_curves(
    curves: dict[str, dict[str, tuple[FloatArray, FloatArray]]],
) -> MappingProxyType[str, Mapping[str, tuple[FloatArray, FloatArray]]]:
    """Read-only mappings of read-only arrays."""
    for per_side in curves.values():
        for arrays in per_side.values():
            for array in arrays:
                array.flags.writeable = False
    return MappingProxyType({side: MappingProxyType(c) for side, c in curves.items()})


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
