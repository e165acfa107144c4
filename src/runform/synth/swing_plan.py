"""Planning the swing: knots from toe-off through the pull to contact, tuned to the pull.

The ankle knots and rates at toe-off and contact continue the stance
motion; the pull knot is moved until the heel peaks at the requested height
and position, and a swing that misses its targets, folds the knee or drags
the shoe raises ``ValueError``. See :mod:`runform.synth.gait`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from runform.synth.body import BodyDimensions
from runform.synth.gait_plan import (
    _MIN_KNEE_FLEXION,
    _TOE_OFF_KNEE_FLEXION,
    GaitParams,
    GaitTiming,
    PelvisPlan,
    StancePlan,
    SwingPlan,
)
from runform.synth.geometry import compute_leg_reach, solve_two_link
from runform.synth.stance_motion import _pelvis_point, _to_polar, compute_stance_foot
from runform.synth.swing_path import _evaluate_swing, _foot_points, _sole_heights

FloatArray = NDArray[np.float64]


#: Largest knee flexion allowed anywhere in the stride, radians.
_MAX_KNEE_FLEXION = math.radians(165.0)
#: Swing fractions of the pull point and the terminal-swing point.
_PULL_FRACTION = 0.40
_TERMINAL_FRACTION = 0.85
#: Ankle height above its contact height at terminal swing, in leg lengths.
_TERMINAL_LIFT = 0.06
#: Largest extra plantarflexion just after toe-off, radians, and the swing
#: fraction it may take at most.
_JOINT_DIP = math.radians(10.0)
_DIP_FRACTION = 0.15
#: Ankle-joint angle (shank to foot) in mid-swing, radians (90° = neutral),
#: reached at this swing fraction.
_NEUTRAL = math.radians(95.0)
_NEUTRAL_FRACTION = 0.45
#: Finite-difference step for boundary velocities, seconds.
_DT = 1e-5


def _stance_boundary(
    tau: float, direction: float, stance: StancePlan, body: BodyDimensions
) -> tuple[FloatArray, FloatArray, float, float]:
    """Ankle position/velocity and joint angle/rate at a stance boundary."""
    taus = np.array([tau, tau + direction * _DT])
    ankle, angle, _ = compute_stance_foot(taus, stance, body)
    velocity = (ankle[1] - ankle[0]) / (direction * _DT)
    return (
        ankle[0],
        velocity,
        float(angle[0]),
        float(angle[1] - angle[0]) / (direction * _DT),
    )


def _joint_angle(
    hip: FloatArray, ankle: FloatArray, foot_angle: FloatArray, body: BodyDimensions
) -> FloatArray:
    """Angle from the shank direction to the foot direction, radians."""
    knee = solve_two_link(hip, ankle, body.thigh_m, body.shank_m)
    shank = ankle - knee
    shank_angle = np.arctan2(shank[..., 1], shank[..., 0])
    return np.angle(np.exp(1j * (foot_angle - shank_angle)))


def _boundary_joint_angle(
    t_abs: float,
    tau: float,
    direction: float,
    stance: StancePlan,
    pelvis: PelvisPlan,
    body: BodyDimensions,
) -> tuple[float, float]:
    """Ankle-joint angle and its rate at a stance boundary."""
    taus = np.array([tau, tau + direction * _DT])
    ankle, angle, _ = compute_stance_foot(taus, stance, body)
    hip = _pelvis_point(np.array([t_abs, t_abs + direction * _DT]), pelvis)
    beta = _joint_angle(hip, ankle, angle, body)
    rate = float(np.angle(np.exp(1j * (beta[1] - beta[0])))) / (direction * _DT)
    return float(beta[0]), rate


def _terminal_knot(
    params: GaitParams,
    body: BodyDimensions,
    ankle_ic: FloatArray,
    hip: FloatArray,
    lift: float,
    travel: float,
) -> FloatArray:
    """Ankle at its furthest reach in terminal swing (body frame, metres).

    It lies ``lift`` above the contact position and half of ``travel`` (the
    ground the foot would cover at running speed until contact) ahead of it,
    pulled back if that would straighten the knee beyond its flexion at
    contact (at least ``_MIN_KNEE_FLEXION`` + 2°).
    """
    knee = max(math.radians(params.knee_flexion_at_contact_deg), _MIN_KNEE_FLEXION + 0.035)
    reach = float(compute_leg_reach(body.thigh_m, body.shank_m, knee))
    y = float(ankle_ic[1]) + lift
    dy = float(hip[1]) - y
    ahead = float(ankle_ic[0]) + 0.5 * travel
    if reach > abs(dy):
        ahead = min(ahead, float(hip[0]) + math.sqrt(reach**2 - dy**2))
    return np.array([max(ahead, float(ankle_ic[0])), y])


def _build_swing(
    params: GaitParams,
    body: BodyDimensions,
    timing: GaitTiming,
    stance: StancePlan,
    pelvis: PelvisPlan,
    pull_knot: FloatArray,
) -> SwingPlan:
    """Swing plan for a given ankle position at the pull knot (body frame)."""
    ankle_to, vel_to, _, _ = _stance_boundary(stance.contact_s, -1.0, stance, body)
    ankle_ic, vel_ic, _, _ = _stance_boundary(0.0, 1.0, stance, body)
    t_sw = timing.swing_s
    t_pull, t_term = _PULL_FRACTION * t_sw, _TERMINAL_FRACTION * t_sw
    pull = np.asarray(pull_knot, dtype=float)
    lift = _TERMINAL_LIFT * body.leg_length_m
    hip_term = _pelvis_point(np.array([stance.contact_s + t_term]), pelvis)[0]
    term = _terminal_knot(
        params, body, ankle_ic, hip_term, lift, stance.speed_mps * (t_sw - t_term)
    )
    pull_vx = (term[0] - ankle_to[0]) / t_term
    term_vy = -lift / (t_sw - t_term)
    knots = np.array([ankle_to, pull, term, ankle_ic])
    slopes = np.array([vel_to, (pull_vx, 0.0), (0.0, term_vy), vel_ic])
    times = np.array([0.0, t_pull, t_term, t_sw])
    polar, polar_slopes = _to_polar(knots, slopes, times + stance.contact_s, pelvis)
    # The leg stops lengthening at toe-off, is longest at terminal swing and
    # meets the ground with an impact: the hip-ankle distance has zero rate
    # on the swing side of those knots (its stance-side rate would carry the
    # leg past full extension), the angular rate stays continuous.
    polar_slopes[0, 0] = min(polar_slopes[0, 0], 0.0)
    polar_slopes[2:, 0] = 0.0
    beta_to, rate_to = _boundary_joint_angle(
        stance.contact_s, stance.contact_s, -1.0, stance, pelvis, body
    )
    _, _, angle_ic, rate_ic = _stance_boundary(0.0, 1.0, stance, body)
    dip = min(_JOINT_DIP, abs(rate_to) * _DIP_FRACTION * t_sw / 3.0)
    t_dip = 3.0 * dip / abs(rate_to) if dip > 0 else _DIP_FRACTION * t_sw
    knee_ic = math.radians(params.knee_flexion_at_contact_deg)
    clamp_start = float(
        compute_leg_reach(body.thigh_m, body.shank_m, min(knee_ic, _TOE_OFF_KNEE_FLEXION[0]))
    )
    hip_to = _pelvis_point(np.array([stance.contact_s]), pelvis)[0]
    clamp_start = max(clamp_start, float(np.linalg.norm(ankle_to - hip_to)))
    # Hovering approach: at most a third of the swing, blend included.
    hover_s = min(params.approach_hover_ms / 1000.0, t_sw / 3.0 / 1.6)
    return SwingPlan(
        knot_times_s=(0.0, t_pull, t_term, t_sw),
        ankle_knots_m=tuple((float(x), float(y)) for x, y in knots),
        polar_knots=tuple((float(r), float(a)) for r, a in polar),
        polar_slopes=tuple((float(r), float(a)) for r, a in polar_slopes),
        joint_angle_knots_s=(0.0, t_dip, _NEUTRAL_FRACTION * t_sw),
        joint_angle_knots=(beta_to, beta_to + math.copysign(dip, rate_to), _NEUTRAL),
        joint_angle_rate_to=rate_to,
        foot_angle_ic=angle_ic,
        foot_angle_rate_ic=rate_ic,
        toe_bend_ic=-min(angle_ic, 0.0),
        clamp_start_m=clamp_start,
        clamp_limit_m=float(compute_leg_reach(body.thigh_m, body.shank_m, _MIN_KNEE_FLEXION)),
        hover_s=hover_s,
        hover_m=params.approach_hover_cm / 100.0 if hover_s > 0 else 0.0,
    )


@dataclass(frozen=True)
class _SwingCheck:
    """Measured features of a candidate swing (metres / radians)."""

    heel_peak: float
    ankle_x_at_peak: float
    lowest: float
    max_knee: float


def _measure_swing(
    swing: SwingPlan, pelvis: PelvisPlan, timing: GaitTiming, body: BodyDimensions
) -> _SwingCheck:
    """Highest heel (and ankle x then), lowest shoe point and most-bent knee."""
    t = np.linspace(0.0, timing.swing_s, 321)
    hip = _pelvis_point(t + timing.contact_s, pelvis)
    ankle, knee, foot_angle, toe_angle = _evaluate_swing(t, hip, swing, body)
    heel, toe, _ = _foot_points(ankle, foot_angle, toe_angle, body)
    flat = np.zeros_like(toe_angle)
    front, rear = _sole_heights(ankle[:, 1], foot_angle, (flat, toe_angle), body)
    inner = slice(1, -1)
    lowest = min(front[inner].min(), rear[inner].min(), heel[:, 1].min(), toe[:, 1].min())
    peak = int(np.argmax(heel[:, 1]))
    thigh, shank = knee - hip, ankle - knee
    cos_k = np.sum(thigh * shank, -1) / (body.thigh_m * body.shank_m)
    return _SwingCheck(
        heel_peak=float(heel[peak, 1]),
        ankle_x_at_peak=float(ankle[peak, 0]),
        lowest=float(lowest),
        max_knee=float(np.arccos(np.clip(cos_k, -1, 1)).max()),
    )


def _plan_swing(
    params: GaitParams,
    body: BodyDimensions,
    timing: GaitTiming,
    stance: StancePlan,
    pelvis: PelvisPlan,
) -> SwingPlan:
    """Swing plan whose heel peak matches the pull height and position.

    The pull knot is moved (fixed-point iteration with unit gain) until the
    highest heel is at ``pull_height_frac`` leg lengths and the ankle is
    ``pull_behind_hip_cm`` behind the pelvis at that instant.
    """
    height = params.pull_height_frac * body.leg_length_m
    behind = -params.pull_behind_hip_cm / 100.0
    knot = np.array([behind, height])
    for _ in range(40):
        swing = _build_swing(params, body, timing, stance, pelvis, knot)
        try:
            check = _measure_swing(swing, pelvis, timing, body)
        except ValueError as err:  # the pull knot drifted onto the hip joint
            raise ValueError(
                f"pull_height_frac={params.pull_height_frac} with pull_behind_hip_cm="
                f"{params.pull_behind_hip_cm} would fold the swing leg completely; "
                "lower pull_height_frac or raise pull_behind_hip_cm"
            ) from err
        error = np.array([check.ankle_x_at_peak - behind, check.heel_peak - height])
        if np.max(np.abs(error)) < 2e-4:
            break
        knot = knot - error
    _raise_if_bad_swing(params, body, check, error)
    return swing


def _raise_if_bad_swing(
    params: GaitParams, body: BodyDimensions, check: _SwingCheck, error: FloatArray
) -> None:
    """Raise ValueError if the swing missed its targets or is implausible."""
    if np.max(np.abs(error)) >= 2e-3:
        raise ValueError(
            f"pull_height_frac={params.pull_height_frac} with pull_behind_hip_cm="
            f"{params.pull_behind_hip_cm} cannot be reached: the heel peaks at "
            f"{check.heel_peak / body.leg_length_m:.2f} leg lengths, the ankle "
            f"{-check.ankle_x_at_peak * 100:.1f} cm behind the hips"
        )
    if check.lowest < -0.002:
        raise ValueError(
            f"the swinging shoe would dip {-check.lowest * 100:.1f} cm into the "
            f"ground; raise pull_height_frac (now {params.pull_height_frac}) or "
            "lower vertical_oscillation_cm"
        )
    if check.max_knee > _MAX_KNEE_FLEXION:
        raise ValueError(
            f"the swing knee would bend {math.degrees(check.max_knee):.0f}° "
            "(> 165°); lower pull_height_frac or raise pull_behind_hip_cm"
        )
