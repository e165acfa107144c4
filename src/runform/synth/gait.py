"""Leg and pelvis motion of the synthetic runner: a sagittal-plane gait plan.

The motion is built in the *body frame*: metres, ``x`` forward, ``y`` up, the
ground at ``y = 0`` and the pelvis centre at ``x = 0``. Overground footage
adds ``speed * t`` to every ``x``; on a treadmill the body frame *is* the
world frame, so the stance foot slides backwards at belt speed. Both legs
share one plan, shifted by half a stride.

One stride of a leg, timed from its initial contact (IC):

* **Stance** ``[0, contact_s)``: the shoe rolls on the ground without
  slipping. A heel landing pivots about the rear of the heel until the foot is
  flat; a forefoot landing pivots about the ball until the heel comes down;
  after heel-off the foot pivots about the ball (toes stay flat) until
  toe-off. The pivot moves backwards at ``speed`` in the body frame.
* **Swing** ``[contact_s, stride_s)``: the ankle follows a cubic Hermite
  path, interpolated in polar coordinates about the hip, from toe-off
  through the *pull* point (heel at its highest, ankle ``pull_behind_hip``
  behind the pelvis) and a terminal-swing point (furthest reach) to the next
  contact. Its angular rate about the hip continues the stance motion at
  both ends; the hip-ankle distance stops changing at toe-off, terminal swing
  and contact (the foot's impact), so the leg never over-stretches. The foot
  hangs from the shank in early swing and turns to its landing angle late.
* **Pelvis** height: ``mean - amplitude * cos(2 pi (t - mid_stance) / step)``,
  lowest at each mid-stance, highest at mid-flight.

The knee comes from two-link inverse kinematics (knee forward), so thigh and
shank lengths are exact at every instant. The hip height at contact is solved
so that the knee flexion at contact equals the parameter exactly.

This module plans the stance and pelvis and poses a leg
(:func:`plan_gait`, :func:`compute_leg_pose`); the plan's data and the
parameters it reads are in :mod:`runform.synth.gait_plan`, the stance roll
and pelvis motion in :mod:`runform.synth.stance_motion`, the swing's
planning in :mod:`runform.synth.swing_plan` and its evaluation in
:mod:`runform.synth.swing_path`.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from runform.synth.body import BodyDimensions, compute_body_dimensions
from runform.synth.gait_plan import (
    _MIN_KNEE_FLEXION,
    _TOE_OFF_KNEE_FLEXION,
    GaitParams,
    GaitPlan,
    GaitTiming,
    LegPose,
    PelvisPlan,
    StancePlan,
    compute_gait_timing,
)
from runform.synth.geometry import (
    compute_leg_reach,
    rotate,
    solve_two_link,
)
from runform.synth.stance_motion import _foot_vectors, _pelvis_point, compute_stance_foot
from runform.synth.swing_path import _evaluate_swing, _foot_points
from runform.synth.swing_plan import _plan_swing

__all__ = ["compute_leg_pose", "plan_gait"]

FloatArray = NDArray[np.float64]

#: Range searched for the foot angle at toe-off, radians (toes down).
_TOE_OFF_ANGLE_RANGE = (math.radians(-15.0), math.radians(-80.0))
#: Stance fraction at which the heel lifts (start of the roll onto the ball).
_HEEL_OFF_FRACTION = 0.45
#: Stance fraction at which a heel or forefoot landing becomes foot-flat.
_FLAT_FRACTION = {"heel": 0.15, "toe": 0.20}


def _contact_offset(body: BodyDimensions, foot_angle: float) -> float:
    """Contact point minus ball position along the ground, metres."""
    heel_to_ball = body.heel_back_m + body.ball_forward_m
    if foot_angle > 0:
        return -heel_to_ball
    if foot_angle < 0:
        return 0.0
    return -0.5 * heel_to_ball


def _solve_toe_off_angle(
    params: GaitParams, body: BodyDimensions, stance: StancePlan, hip_y: float
) -> float:
    """Foot angle at toe-off giving the target knee flexion (bisection)."""
    vec = _foot_vectors(body)
    ball = np.array([stance.ball_x0_m - stance.speed_mps * stance.contact_s, 0.0])
    hip = np.array([0.0, hip_y])

    def reach(angle: float) -> float:
        ankle = ball + rotate(-vec["ball"], angle)
        return float(np.linalg.norm(hip - ankle))

    flat, steep = _TOE_OFF_ANGLE_RANGE
    for knee in (*_TOE_OFF_KNEE_FLEXION, _MIN_KNEE_FLEXION + 0.02):
        target = float(compute_leg_reach(body.thigh_m, body.shank_m, knee))
        if reach(flat) <= target:
            return flat
        if reach(steep) <= target:
            lo, hi = flat, steep
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if reach(mid) > target else (lo, mid)
            return hi
    sweep = stance.speed_mps * stance.contact_s
    raise ValueError(
        f"the stance is too long for the leg: the foot travels {sweep:.2f} m "
        f"relative to the hips during contact (speed_mps={params.speed_mps} × "
        f"contact {stance.contact_s * 1000:.0f} ms) but lands only "
        f"{params.overstride_cm} cm ahead, so it cannot reach toe-off; lower "
        "speed_mps or duty_factor, raise cadence_spm or overstride_cm, or "
        "raise knee_flexion_at_contact_deg"
    )


def _plan_stance(params: GaitParams, body: BodyDimensions, timing: GaitTiming) -> StancePlan:
    """Stance constants except the toe-off angle (filled in later)."""
    angle = math.radians(params.foot_angle_deg)
    offset = _contact_offset(body, angle)
    key = "heel" if angle > 0 else "toe"
    return StancePlan(
        contact_s=timing.contact_s,
        speed_mps=params.speed_mps,
        ball_x0_m=params.overstride_cm / 100.0 - offset,
        foot_angle_ic=angle,
        foot_angle_to=0.0,
        flat_s=_FLAT_FRACTION[key] * timing.contact_s if angle != 0 else 0.0,
        heel_off_s=_HEEL_OFF_FRACTION * timing.contact_s,
    )


def _solve_contact_hip_height(
    params: GaitParams, body: BodyDimensions, stance: StancePlan
) -> float:
    """Pelvis height at contact giving the requested knee flexion, metres."""
    ankle, _, _ = compute_stance_foot(0.0, stance, body)
    knee = math.radians(params.knee_flexion_at_contact_deg)
    reach = float(compute_leg_reach(body.thigh_m, body.shank_m, knee))
    dx = float(ankle[0, 0])
    if abs(dx) >= reach * 0.98:
        raise ValueError(
            f"overstride_cm={params.overstride_cm} puts the ankle {dx:.2f} m from "
            f"the hips at contact, beyond the leg's reach ({reach:.2f} m at "
            f"{params.knee_flexion_at_contact_deg}° knee flexion); reduce the "
            "overstride or raise body_height_cm"
        )
    return float(ankle[0, 1]) + math.sqrt(reach**2 - dx**2)


def _check_stance_reach(
    params: GaitParams, body: BodyDimensions, stance: StancePlan, pelvis: PelvisPlan
) -> None:
    """Raise if the stance leg would need to be longer or bend too far."""
    tau = np.linspace(0.0, stance.contact_s, 97)
    ankle, _, _ = compute_stance_foot(tau, stance, body)
    dist = np.linalg.norm(_pelvis_point(tau, pelvis) - ankle, axis=-1)
    longest = float(compute_leg_reach(body.thigh_m, body.shank_m, _MIN_KNEE_FLEXION))
    shortest = float(compute_leg_reach(body.thigh_m, body.shank_m, math.radians(120)))
    if dist.max() > longest:
        raise ValueError(
            "the stance leg would have to be longer than thigh + shank during "
            f"contact (by {(dist.max() - longest) * 100:.1f} cm); lower "
            "vertical_oscillation_cm, speed_mps or duty_factor, or raise "
            "knee_flexion_at_contact_deg"
        )
    if dist.min() < shortest:
        raise ValueError(
            "the stance knee would bend more than 120° at mid-stance; lower "
            "vertical_oscillation_cm or knee_flexion_at_contact_deg"
        )


def _plan_pelvis(params: GaitParams, timing: GaitTiming, contact_height: float) -> PelvisPlan:
    """Pelvis plan passing through ``contact_height`` at initial contact."""
    amplitude = params.vertical_oscillation_cm / 200.0
    duty = timing.contact_s / timing.stride_s
    return PelvisPlan(
        mean_m=contact_height + amplitude * math.cos(2.0 * math.pi * duty),
        amplitude_m=amplitude,
        step_s=timing.step_s,
        mid_stance_s=timing.contact_s / 2.0,
    )


def _solve_trunk_lean(
    params: GaitParams, body: BodyDimensions, stance: StancePlan, pelvis: PelvisPlan
) -> float:
    """Trunk lean (radians) from the parameters (direct or via waist bend)."""
    if params.trunk_lean_deg is not None:
        return math.radians(params.trunk_lean_deg)
    mid = stance.contact_s / 2.0
    ankle, _, _ = compute_stance_foot(mid, stance, body)
    hip = _pelvis_point(np.array([mid]), pelvis)
    line = hip[0] - ankle[0]
    line_angle = math.atan2(line[0], line[1])
    return line_angle + math.radians(params.waist_bend_deg or 0.0)


def plan_gait(params: GaitParams) -> GaitPlan:
    """Build the gait plan for a set of parameters.

    Parameters
    ----------
    params
        Runner parameters (already range-checked).

    Returns
    -------
    GaitPlan
        Constants from which :func:`compute_leg_pose` poses a leg at any time.

    Raises
    ------
    ValueError
        If the combination is geometrically impossible for the leg: the
        stance too long to reach toe-off, an overstride beyond reach, a pull
        height that cannot be met or would drag the toes.
    """
    body = compute_body_dimensions(params.body_height_cm / 100.0, **params.segment_scales)
    timing = compute_gait_timing(params.cadence_spm, params.duty_factor)
    stance = _plan_stance(params, body, timing)
    contact_height = _solve_contact_hip_height(params, body, stance)
    pelvis = _plan_pelvis(params, timing, contact_height)
    toe_off = _solve_toe_off_angle(params, body, stance, contact_height)
    stance = dataclasses.replace(stance, foot_angle_to=toe_off)
    _check_stance_reach(params, body, stance, pelvis)
    swing = _plan_swing(params, body, timing, stance, pelvis)
    return GaitPlan(
        body=body,
        timing=timing,
        stance=stance,
        pelvis=pelvis,
        swing=swing,
        first_contact_s=params.first_contact_phase * timing.stride_s,
        contact_point_offset_m=_contact_offset(body, stance.foot_angle_ic),
        trunk_lean_rad=_solve_trunk_lean(params, body, stance, pelvis),
    )


def compute_leg_pose(t_since_contact: ArrayLike, plan: GaitPlan) -> LegPose:
    """Pose one leg at times measured from its initial contacts.

    Parameters
    ----------
    t_since_contact
        Seconds since one of the leg's initial contacts (wrapped into a
        stride, so any real value works).
    plan
        Gait plan.

    Returns
    -------
    LegPose
        Joint positions in the body frame (pelvis centre at ``x = 0``).
    """
    t = np.mod(np.atleast_1d(np.asarray(t_since_contact, dtype=float)), plan.timing.stride_s)
    body, stance = plan.body, plan.stance
    hip = _pelvis_point(t, plan.pelvis)
    in_stance = t < stance.contact_s
    ankle = np.empty_like(hip)
    foot_angle = np.empty_like(t)
    toe_angle = np.empty_like(t)
    knee = np.empty_like(hip)
    if np.any(in_stance):
        a, ang, _ = compute_stance_foot(t[in_stance], stance, body)
        ankle[in_stance], foot_angle[in_stance] = a, ang
        toe_angle[in_stance] = np.maximum(ang, 0.0)
        knee[in_stance] = solve_two_link(hip[in_stance], a, body.thigh_m, body.shank_m)
    swing = ~in_stance
    if np.any(swing):
        a, k, ang, toe = _evaluate_swing(t[swing] - stance.contact_s, hip[swing], plan.swing, body)
        ankle[swing], knee[swing], foot_angle[swing], toe_angle[swing] = a, k, ang, toe
    heel, toe_tip, ball = _foot_points(ankle, foot_angle, toe_angle, body)
    return LegPose(hip, knee, ankle, heel, toe_tip, ball, foot_angle, toe_angle, in_stance)
