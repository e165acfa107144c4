"""The exact ground truth of a synthetic clip, computed from its gait plan and camera.

:func:`compute_truth` gives the frame times, the keypoints in the world and
in pixels (:mod:`runform.synth.kinematics`), the gait events of each foot,
the angles and distances at every initial contact, stride-level values and
per-frame angles, as a :class:`runform.synth.truth.SyntheticTruth`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from runform.skeleton import KEYPOINT_INDEX
from runform.synth.body import SEGMENT_MASS_FRACTIONS, BodyDimensions
from runform.synth.camera import project_to_pixels
from runform.synth.gait import compute_leg_pose, plan_gait
from runform.synth.gait_plan import GaitPlan
from runform.synth.geometry import compute_knee_flexion
from runform.synth.kinematics import (
    compute_body_keypoints,
    compute_frame_times,
    compute_world_keypoints,
    plan_camera,
)
from runform.synth.optics import build_warp
from runform.synth.params import RunnerParams
from runform.synth.stance_motion import compute_pelvis_height, compute_stance_foot
from runform.synth.truth import ContactTruth, SyntheticTruth

__all__ = ["compute_truth"]

FloatArray = NDArray[np.float64]


def _event_times(start: float, period: float, duration: float) -> FloatArray:
    """Return the times ``start + k * period`` inside ``[0, duration)``, any integer k."""
    first = start - math.floor(start / period) * period
    count = max(0, math.ceil((duration - first) / period))
    return np.asarray(first + period * np.arange(count), dtype=np.float64)


def _segment_com(points: FloatArray, body: BodyDimensions) -> FloatArray:
    """Whole-body centre of mass from keypoints (Winter), shape ``(N, 2)``."""
    k = KEYPOINT_INDEX

    def mid(a: str, b: str) -> FloatArray:
        return 0.5 * (points[:, k[a]] + points[:, k[b]])

    pelvis, shoulders = mid("left_hip", "right_hip"), mid("left_shoulder", "right_shoulder")
    ear = points[:, k["left_ear"]]
    head = ear + (points[:, k["nose"]] - ear) * 0.35
    total = np.zeros_like(pelvis)
    weight = 0.0
    parts = [("head", head, head), ("trunk", pelvis, shoulders)]
    for side in ("left", "right"):
        p = {
            n: points[:, k[f"{side}_{n}"]]
            for n in ("shoulder", "elbow", "wrist", "index", "hip", "knee", "ankle", "foot_index")
        }
        parts += [
            ("upper_arm", p["shoulder"], p["elbow"]),
            ("forearm", p["elbow"], p["wrist"]),
            ("hand", p["wrist"], p["index"]),
            ("thigh", p["hip"], p["knee"]),
            ("shank", p["knee"], p["ankle"]),
            ("foot", p["ankle"], p["foot_index"]),
        ]
    for name, start, end in parts:
        mass, where = SEGMENT_MASS_FRACTIONS[name]
        total += mass * (start + where * (end - start))
        weight += mass
    return total / weight


def _angle_from_vertical(lower: FloatArray, upper: FloatArray) -> FloatArray:
    """Angle of the lower→upper line from vertical, degrees, forward +."""
    d = upper - lower
    return np.degrees(np.arctan2(d[..., 0], d[..., 1]))


def _angle_from_down(upper: FloatArray, lower: FloatArray) -> FloatArray:
    """Angle of the upper→lower line from straight down, degrees, forward +."""
    d = lower - upper
    return np.degrees(np.arctan2(d[..., 0], -d[..., 1]))


def _contact_truth(side: str, time_s: float, plan: GaitPlan, params: RunnerParams) -> ContactTruth:
    """Angles and distances at one initial contact, from the exact pose."""
    k = KEYPOINT_INDEX
    p = compute_body_keypoints(np.array([time_s]), plan, params)
    hip, knee, ankle = (p[:, k[f"{side}_{n}"]] for n in ("hip", "knee", "ankle"))
    heel, toe = p[:, k[f"{side}_heel"]], p[:, k[f"{side}_foot_index"]]
    shoulders = 0.5 * (p[:, k["left_shoulder"]] + p[:, k["right_shoulder"]])
    contact_x = plan.stance.ball_x0_m + plan.contact_point_offset_m
    com = _segment_com(p, plan.body)
    return ContactTruth(
        side=side,
        time_s=time_s,
        frame_float=time_s * float(params.frame_rate),
        knee_flexion_deg=float(np.degrees(compute_knee_flexion(hip, knee, ankle))[0]),
        shank_angle_deg=float(_angle_from_down(knee, ankle)[0]),
        foot_angle_deg=math.degrees(plan.stance.foot_angle_ic),
        trunk_lean_deg=float(_angle_from_vertical(hip, shoulders)[0]),
        overstride_cm=100.0 * contact_x,
        overstride_com_cm=100.0 * float(contact_x - com[0, 0]),
        ankle_ahead_of_pelvis_cm=100.0 * float(ankle[0, 0] - hip[0, 0]),
        heel_ahead_of_pelvis_cm=100.0 * float(heel[0, 0] - hip[0, 0]),
        foot_index_ahead_of_pelvis_cm=100.0 * float(toe[0, 0] - hip[0, 0]),
    )


def _pose_offset_s(plan: GaitPlan) -> float:
    """Time after contact when the stance ankle passes under the pelvis."""
    tau = np.linspace(0.0, plan.timing.contact_s, 401)
    ankle, _, _ = compute_stance_foot(tau, plan.stance, plan.body)
    behind = np.nonzero(ankle[:, 0] <= 0.0)[0]
    if behind.size == 0:
        return plan.timing.contact_s
    i = int(behind[0])
    if i == 0:
        return 0.0
    lo, hi = tau[i - 1], tau[i]
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        x = compute_stance_foot(mid, plan.stance, plan.body)[0][0, 0]
        lo, hi = (mid, hi) if x > 0 else (lo, mid)
    return float(hi)


def _summary(plan: GaitPlan, params: RunnerParams) -> dict[str, float]:
    """Stride-level truth values with units in the keys."""
    timing, body = plan.timing, plan.body
    stride = np.linspace(0.0, timing.stride_s, 721, endpoint=False)
    leg = compute_leg_pose(stride, plan)
    swing = ~leg.in_stance
    peak = int(np.argmax(np.where(swing, leg.heel[:, 1], -np.inf)))
    mid = timing.contact_s / 2.0
    ankle_mid = compute_stance_foot(mid, plan.stance, body)[0][0]
    hip_mid = np.array([0.0, float(compute_pelvis_height(mid, plan.pelvis))])
    line = math.degrees(math.atan2(hip_mid[0] - ankle_mid[0], hip_mid[1] - ankle_mid[1]))
    lean = math.degrees(plan.trunk_lean_rad)
    return {
        "cadence_spm": params.cadence_spm,
        "stride_time_ms": 1000.0 * timing.stride_s,
        "step_time_ms": 1000.0 * timing.step_s,
        "contact_time_ms": 1000.0 * timing.contact_s,
        "flight_time_ms": 1000.0 * timing.flight_s,
        "swing_time_ms": 1000.0 * timing.swing_s,
        "duty_factor": timing.contact_s / timing.stride_s,
        "speed_mps": params.speed_mps,
        "stride_length_m": params.speed_mps * timing.stride_s,
        "step_length_m": params.speed_mps * timing.step_s,
        "vertical_oscillation_cm": 200.0 * plan.pelvis.amplitude_m,
        "pelvis_height_mean_cm": 100.0 * plan.pelvis.mean_m,
        "pull_heel_peak_height_cm": 100.0 * float(leg.heel[peak, 1]),
        "pull_heel_peak_height_frac": float(leg.heel[peak, 1]) / body.leg_length_m,
        "pull_ankle_behind_pelvis_cm": -100.0 * float(leg.ankle[peak, 0]),
        "pull_time_after_toe_off_ms": 1000.0 * float(stride[peak] - timing.contact_s),
        "trunk_lean_deg": lean,
        "support_line_lean_at_midstance_deg": line,
        "waist_bend_at_midstance_deg": lean - line,
        "foot_angle_at_toe_off_deg": math.degrees(plan.stance.foot_angle_to),
        "heel_off_after_contact_ms": 1000.0 * plan.stance.heel_off_s,
        "pose_after_contact_ms": 1000.0 * _pose_offset_s(plan),
    }


def _per_frame_angles(points: FloatArray) -> dict[str, FloatArray]:
    """Joint and segment angles per frame, degrees (see SyntheticTruth)."""
    k = KEYPOINT_INDEX
    out: dict[str, FloatArray] = {}
    pelvis = 0.5 * (points[:, k["left_hip"]] + points[:, k["right_hip"]])
    shoulders = 0.5 * (points[:, k["left_shoulder"]] + points[:, k["right_shoulder"]])
    out["trunk_lean"] = _angle_from_vertical(pelvis, shoulders)
    for side in ("left", "right"):
        hip, knee, ankle, heel, toe = (
            points[:, k[f"{side}_{n}"]] for n in ("hip", "knee", "ankle", "heel", "foot_index")
        )
        out[f"{side}_knee_flexion"] = np.degrees(compute_knee_flexion(hip, knee, ankle))
        out[f"{side}_thigh_angle"] = _angle_from_down(hip, knee)
        out[f"{side}_shank_angle"] = _angle_from_down(knee, ankle)
        foot = toe - heel
        out[f"{side}_heel_toe_angle"] = np.degrees(np.arctan2(foot[:, 1], foot[:, 0]))
    return out


def compute_truth(params: RunnerParams) -> SyntheticTruth:
    """Compute the exact ground truth of a synthetic clip.

    Parameters
    ----------
    params
        Runner parameters.

    Returns
    -------
    SyntheticTruth
        Frame times ``i / fps``, keypoints per frame (world metres and image
        pixels, after the style's tilt and lens warp when it has one), gait
        events per side, stride-level values and angles at each initial
        contact.
    """
    plan = plan_gait(params)
    camera, duration = plan_camera(params, plan)
    times = compute_frame_times(params.frame_rate, duration)
    world = compute_world_keypoints(times, plan, params)
    timing = plan.timing
    starts = {"right": plan.first_contact_s, "left": plan.first_contact_s + timing.step_s}
    pose_offset = _pose_offset_s(plan)
    events: dict[str, dict[str, FloatArray]] = {}
    contacts: list[ContactTruth] = []
    stance: dict[str, NDArray[np.bool_]] = {}
    for side, start in starts.items():
        events[side] = {
            "initial_contact": _event_times(start, timing.stride_s, duration),
            "toe_off": _event_times(start + timing.contact_s, timing.stride_s, duration),
            "heel_off": _event_times(start + plan.stance.heel_off_s, timing.stride_s, duration),
            "pose": _event_times(start + pose_offset, timing.stride_s, duration),
        }
        contacts += [
            _contact_truth(side, float(t), plan, params) for t in events[side]["initial_contact"]
        ]
        stance[side] = np.mod(times - start, timing.stride_s) < timing.contact_s
    contacts.sort(key=lambda c: c.time_s)
    pixels = project_to_pixels(world, camera, times)
    warp = build_warp(params.style, params.width_px, params.height_px)
    if warp is not None:
        pixels = warp.apply(pixels)
    return SyntheticTruth(
        params=params,
        frame_times_s=times,
        keypoints_px=pixels,
        keypoints_world_m=world,
        camera=camera,
        near_side="right" if params.direction == "right" else "left",
        body=plan.body,
        events_s=events,
        contacts=tuple(contacts),
        stance=stance,
        summary=_summary(plan, params),
        angles_deg=_per_frame_angles(world),
        warp=warp,
    )
