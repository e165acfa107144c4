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
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from runform.synth.approach import apply_hover
from runform.synth.body import BodyDimensions, compute_body_dimensions
from runform.synth.geometry import (
    compute_leg_reach,
    rotate,
    solve_two_link,
)

if TYPE_CHECKING:
    from runform.synth.params import RunnerParams

__all__ = [
    "GaitPlan",
    "GaitTiming",
    "LegPose",
    "StancePlan",
    "compute_gait_timing",
    "compute_leg_pose",
    "compute_pelvis_height",
    "compute_stance_foot",
    "compute_stance_foot_angle",
    "evaluate_hermite",
    "plan_gait",
]

FloatArray = NDArray[np.float64]

#: Knee flexions at toe-off that the plan aims for, radians, in order of
#: preference (the first one reachable with the foot at most 80° down).
_TOE_OFF_KNEE_FLEXION = (math.radians(25.0), math.radians(15.0))
#: Smallest knee flexion allowed anywhere in the stride, radians.
_MIN_KNEE_FLEXION = math.radians(2.0)
#: Largest knee flexion allowed anywhere in the stride, radians.
_MAX_KNEE_FLEXION = math.radians(165.0)
#: Range searched for the foot angle at toe-off, radians (toes down).
_TOE_OFF_ANGLE_RANGE = (math.radians(-15.0), math.radians(-80.0))
#: Stance fraction at which the heel lifts (start of the roll onto the ball).
_HEEL_OFF_FRACTION = 0.45
#: Stance fraction at which a heel or forefoot landing becomes foot-flat.
_FLAT_FRACTION = {"heel": 0.15, "toe": 0.20}
#: Swing fractions of the pull point and the terminal-swing point.
_PULL_FRACTION = 0.40
_TERMINAL_FRACTION = 0.85
#: Swing fraction over which the toes relax after toe-off / reach for contact.
_TOE_RELAX_FRACTION = 0.30
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
#: Swing fraction where the foot starts turning to its landing angle, and the
#: fraction the turn takes.
_BLEND_RANGE = (0.50, 0.35)
#: Sole clearance kept in mid-swing, leg lengths, and the penetration
#: tolerated next to toe-off and contact, metres.
_CLEARANCE = 0.01
_TOUCH_TOLERANCE = 0.0015
#: Finite-difference step for boundary velocities, seconds.
_DT = 1e-5


@dataclass(frozen=True)
class GaitTiming:
    """Durations of one stride, in seconds.

    Attributes
    ----------
    stride_s
        Contact to next contact of the same foot (``120 / cadence``).
    step_s
        Contact of one foot to contact of the other (half a stride).
    contact_s
        Stance time of one foot (``duty_factor * stride_s``).
    flight_s
        Time with neither foot on the ground per step (``step - contact``).
    swing_s
        Time the foot is in the air per stride (``stride - contact``).
    """

    stride_s: float
    step_s: float
    contact_s: float
    flight_s: float
    swing_s: float


@dataclass(frozen=True)
class StancePlan:
    """Constants of the stance foot roll (body frame).

    Attributes
    ----------
    contact_s
        Stance duration, seconds.
    speed_mps
        Speed at which the ground (and the planted foot) moves backwards
        relative to the pelvis, m/s.
    ball_x0_m
        Ball of the foot ahead of the pelvis centre at initial contact, m.
    foot_angle_ic, foot_angle_to
        Sole angle to the ground at contact and toe-off, radians, toes up +.
    flat_s
        Time after contact when the sole becomes flat, seconds (0 for a flat
        landing).
    heel_off_s
        Time after contact when the heel lifts, seconds.
    """

    contact_s: float
    speed_mps: float
    ball_x0_m: float
    foot_angle_ic: float
    foot_angle_to: float
    flat_s: float
    heel_off_s: float


@dataclass(frozen=True)
class PelvisPlan:
    """Vertical pelvis motion: ``mean - amplitude * cos(2π (t - t_mid) / step)``.

    ``t`` is the time since the leg's own contact; ``t_mid`` is mid-stance.
    """

    mean_m: float
    amplitude_m: float
    step_s: float
    mid_stance_s: float


@dataclass(frozen=True)
class SwingPlan:
    """Swing path: ankle knots (body frame) and ankle-joint angle ends.

    ``knot_times_s`` are measured from toe-off. The ankle is interpolated in
    polar coordinates about the (moving) hip, ``(distance m, angle rad)``
    with their rates, so the hip-ankle distance, which the knee must span,
    varies smoothly between the knots instead of bulging outwards. The ankle-joint angle is the
    angle from the shank direction (knee→ankle) to the foot direction
    (heel→toe), radians; it is interpolated by a cubic Hermite between its
    toe-off value and rate through a small extra plantarflexion to a
    neutral mid-swing value; from mid-swing the foot angle blends into the
    contact angle (continued at the contact rate) so the shoe is set for
    landing.
    """

    knot_times_s: tuple[float, ...]
    ankle_knots_m: tuple[tuple[float, float], ...]
    polar_knots: tuple[tuple[float, float], ...]
    polar_slopes: tuple[tuple[float, float], ...]
    joint_angle_knots_s: tuple[float, float, float]
    joint_angle_knots: tuple[float, float, float]
    joint_angle_rate_to: float
    foot_angle_ic: float
    foot_angle_rate_ic: float
    toe_bend_ic: float
    clamp_start_m: float
    clamp_limit_m: float
    hover_s: float = 0.0
    hover_m: float = 0.0


@dataclass(frozen=True)
class GaitPlan:
    """Everything needed to pose both legs and the pelvis at any time.

    Attributes
    ----------
    body
        Segment lengths.
    timing
        Stride durations.
    stance, pelvis, swing
        Sub-plans (see their docstrings).
    first_contact_s
        Time of the right foot's first initial contact in the clip, seconds.
    contact_point_offset_m
        Horizontal offset from the ball of the foot to the contact point
        (negative: the contact point is behind the ball), metres.
    trunk_lean_rad
        Trunk angle from vertical, forward positive, radians.
    """

    body: BodyDimensions
    timing: GaitTiming
    stance: StancePlan
    pelvis: PelvisPlan
    swing: SwingPlan
    first_contact_s: float
    contact_point_offset_m: float
    trunk_lean_rad: float


@dataclass(frozen=True)
class LegPose:
    """Positions of one leg's joints (body frame, metres), shape ``(N, 2)``.

    ``foot_angle`` is the sole's angle to the ground (radians, toes up +) and
    ``toe_angle`` the toe segment's angle; ``in_stance`` flags stance samples.
    """

    hip: FloatArray
    knee: FloatArray
    ankle: FloatArray
    heel: FloatArray
    foot_index: FloatArray
    ball: FloatArray
    foot_angle: FloatArray
    toe_angle: FloatArray
    in_stance: NDArray[np.bool_]


def compute_gait_timing(cadence_spm: float, duty_factor: float) -> GaitTiming:
    """Return stride durations for a cadence and duty factor.

    Parameters
    ----------
    cadence_spm
        Steps per minute (both feet).
    duty_factor
        Stance fraction of a stride, per leg.

    Returns
    -------
    GaitTiming
        Durations in seconds.
    """
    stride = 120.0 / cadence_spm
    contact = duty_factor * stride
    return GaitTiming(
        stride_s=stride,
        step_s=stride / 2.0,
        contact_s=contact,
        flight_s=stride / 2.0 - contact,
        swing_s=stride - contact,
    )


# ---------------------------------------------------------------------------
# Stance
# ---------------------------------------------------------------------------


def _foot_vectors(body: BodyDimensions) -> dict[str, FloatArray]:
    """Foot points relative to the ankle in the foot frame (sole horizontal)."""
    a = body.ankle_height_m
    return {
        "heel_pivot": np.array([-body.heel_back_m, -a]),
        "ball": np.array([body.ball_forward_m, -a]),
        "heel": np.array([-body.heel_back_m, -a + body.heel_landmark_height_m]),
        "toe": np.array([body.toe_length_m, body.toe_landmark_height_m]),
    }


def compute_stance_foot_angle(tau: ArrayLike, stance: StancePlan) -> FloatArray:
    """Sole angle to the ground during stance, radians (toes up +).

    Parameters
    ----------
    tau
        Time since initial contact, seconds, within ``[0, contact_s]``.
    stance
        Stance constants.

    Returns
    -------
    numpy.ndarray
        The landing angle eases to 0 (cosine) by ``flat_s``, stays 0 and
        after ``heel_off_s`` falls quadratically to the toe-off angle.
    """
    t = np.asarray(tau, dtype=float)
    angle = np.zeros_like(t)
    if stance.flat_s > 0:
        s = np.clip(t / stance.flat_s, 0.0, 1.0)
        angle += stance.foot_angle_ic * 0.5 * (1.0 + np.cos(np.pi * s))
    span = stance.contact_s - stance.heel_off_s
    s = np.clip((t - stance.heel_off_s) / span, 0.0, 1.0)
    angle += stance.foot_angle_to * s**2
    return angle


def compute_stance_foot(
    tau: ArrayLike, stance: StancePlan, body: BodyDimensions
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Ankle position, sole angle and ball position of the stance foot.

    Parameters
    ----------
    tau
        Time since initial contact, seconds.
    stance
        Stance constants.
    body
        Segment lengths.

    Returns
    -------
    ankle : numpy.ndarray
        Shape ``(N, 2)``, body frame, metres.
    foot_angle : numpy.ndarray
        Shape ``(N,)``, radians, toes up positive.
    ball : numpy.ndarray
        Shape ``(N, 2)``: the ball of the foot (on the ground while the foot
        angle is ≤ 0).
    """
    t = np.atleast_1d(np.asarray(tau, dtype=float))
    angle = compute_stance_foot_angle(t, stance)
    vec = _foot_vectors(body)
    ball_ground = np.stack([stance.ball_x0_m - stance.speed_mps * t, np.zeros_like(t)], -1)
    heel_ground = ball_ground + (vec["heel_pivot"] - vec["ball"])
    from_ball = ball_ground + rotate(-vec["ball"], angle)
    from_heel = heel_ground + rotate(-vec["heel_pivot"], angle)
    ankle = np.where((angle > 0)[:, None], from_heel, from_ball)
    ball = ankle + rotate(vec["ball"], angle)
    return ankle, angle, ball


# ---------------------------------------------------------------------------
# Pelvis
# ---------------------------------------------------------------------------


def compute_pelvis_height(t_since_contact: ArrayLike, pelvis: PelvisPlan) -> FloatArray:
    """Pelvis-centre height, metres, at times measured from a leg's contact.

    Parameters
    ----------
    t_since_contact
        Seconds since an initial contact of either leg (any value: the
        motion repeats every step).
    pelvis
        Pelvis constants.

    Returns
    -------
    numpy.ndarray
        Height above the ground in metres.
    """
    t = np.asarray(t_since_contact, dtype=float)
    phase = 2.0 * np.pi * (t - pelvis.mid_stance_s) / pelvis.step_s
    return pelvis.mean_m - pelvis.amplitude_m * np.cos(phase)


def _pelvis_velocity(t_since_contact: FloatArray, pelvis: PelvisPlan) -> FloatArray:
    """Pelvis velocity ``(0, dy/dt)`` in m/s, shape ``(N, 2)``."""
    omega = 2.0 * np.pi / pelvis.step_s
    vy = pelvis.amplitude_m * omega * np.sin(omega * (t_since_contact - pelvis.mid_stance_s))
    return np.stack([np.zeros_like(vy), vy], axis=-1)


def _to_polar(
    points: FloatArray, velocities: FloatArray, times: FloatArray, pelvis: PelvisPlan
) -> tuple[FloatArray, FloatArray]:
    """Points and velocities → (distance, angle) about the hip and their rates."""
    rel = points - _pelvis_point(times, pelvis)
    rel_v = velocities - _pelvis_velocity(times, pelvis)
    r = np.linalg.norm(rel, axis=-1)
    angle = np.arctan2(rel[:, 1], rel[:, 0])
    r_dot = np.sum(rel * rel_v, axis=-1) / r
    angle_dot = (rel[:, 0] * rel_v[:, 1] - rel[:, 1] * rel_v[:, 0]) / r**2
    return np.stack([r, angle], -1), np.stack([r_dot, angle_dot], -1)


def _pelvis_point(t: FloatArray, pelvis: PelvisPlan) -> FloatArray:
    """Pelvis centre ``(0, height)`` in the body frame, shape ``(N, 2)``."""
    y = compute_pelvis_height(t, pelvis)
    return np.stack([np.zeros_like(y), y], axis=-1)


# ---------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------


def _contact_offset(body: BodyDimensions, foot_angle: float) -> float:
    """Contact point minus ball position along the ground, metres."""
    heel_to_ball = body.heel_back_m + body.ball_forward_m
    if foot_angle > 0:
        return -heel_to_ball
    if foot_angle < 0:
        return 0.0
    return -0.5 * heel_to_ball


def _solve_toe_off_angle(
    params: RunnerParams, body: BodyDimensions, stance: StancePlan, hip_y: float
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


def _plan_stance(params: RunnerParams, body: BodyDimensions, timing: GaitTiming) -> StancePlan:
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
    params: RunnerParams, body: BodyDimensions, stance: StancePlan
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
    params: RunnerParams, body: BodyDimensions, stance: StancePlan, pelvis: PelvisPlan
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
    params: RunnerParams,
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
    params: RunnerParams,
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


def _evaluate_swing(
    t_swing: FloatArray, hip: FloatArray, swing: SwingPlan, body: BodyDimensions
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Ankle, knee, foot angle and toe angle at times since toe-off."""
    polar = evaluate_hermite(swing.knot_times_s, swing.polar_knots, swing.polar_slopes, t_swing)
    raw = hip + polar[:, :1] * np.stack([np.cos(polar[:, 1]), np.sin(polar[:, 1])], -1)
    ankle = _soft_clamp(hip, raw, swing.clamp_start_m, swing.clamp_limit_m)
    knee = solve_two_link(hip, ankle, body.thigh_m, body.shank_m)
    shank = ankle - knee
    shank_angle = np.arctan2(shank[:, 1], shank[:, 0])
    duration = swing.knot_times_s[-1]
    beta = evaluate_hermite(
        swing.joint_angle_knots_s,
        swing.joint_angle_knots,
        (swing.joint_angle_rate_to, 0.0, 0.0),
        np.minimum(t_swing, swing.joint_angle_knots_s[-1]),
    )
    hanging = np.angle(np.exp(1j * (shank_angle + beta)))
    landing = swing.foot_angle_ic + swing.foot_angle_rate_ic * (t_swing - duration)
    blend = _smoothstep((t_swing / duration - _BLEND_RANGE[0]) / _BLEND_RANGE[1])
    s = t_swing / duration
    relax = _smoothstep(s / _TOE_RELAX_FRACTION)
    reach = _smoothstep((s - 1.0 + _TOE_RELAX_FRACTION) / _TOE_RELAX_FRACTION)
    # The toes stay flat (as on the ground at toe-off), then follow the foot,
    # then bend up again before a forefoot contact: toe = follow * foot + offset.
    toe = (relax, relax * swing.toe_bend_ic * reach)
    foot_angle = hanging * (1.0 - blend) + landing * blend
    foot_angle = _clear_ground(ankle[:, 1], foot_angle, toe, s, body)
    toe_angle = toe[0] * foot_angle + toe[1]
    if swing.hover_s > 0:
        flat = np.zeros_like(foot_angle)
        front, rear = _sole_heights(flat, foot_angle, (flat, toe_angle), body)
        ankle = apply_hover(
            duration - t_swing,
            hip,
            ankle,
            np.minimum(front, rear),
            hover_s=swing.hover_s,
            hover_m=swing.hover_m,
            contact_reach_m=swing.polar_knots[-1][0],
            reach_limit_m=swing.clamp_limit_m,
        )
        knee = solve_two_link(hip, ankle, body.thigh_m, body.shank_m)
    return ankle, knee, foot_angle, toe_angle


def _sole_heights(
    ankle_y: FloatArray,
    foot_angle: FloatArray,
    toe: tuple[FloatArray, FloatArray],
    body: BodyDimensions,
) -> tuple[FloatArray, FloatArray]:
    """Lowest front and rear heights of the shoe, metres.

    Front: the ball, the toe tip and the ``foot_index`` landmark; rear: the
    bottom of the heel and the ``heel`` landmark. The toe segment's angle is
    ``toe[0] * foot_angle + toe[1]``.
    """
    a = body.ankle_height_m
    sin, cos = np.sin(foot_angle), np.cos(foot_angle)
    ball = ankle_y + body.ball_forward_m * sin - a * cos
    toe_angle = toe[0] * foot_angle + toe[1]
    tip = ball + body.toe_length_m * np.sin(toe_angle)
    mark = tip + body.toe_landmark_height_m * np.cos(toe_angle)
    heel = ankle_y - body.heel_back_m * sin - a * cos
    heel_mark = heel + body.heel_landmark_height_m * cos
    return np.minimum(np.minimum(ball, tip), mark), np.minimum(heel, heel_mark)


def _nearest_feasible(
    height: Callable[[FloatArray], FloatArray],
    angle: FloatArray,
    target: FloatArray,
    tolerance: FloatArray,
) -> FloatArray:
    """Angle nearest to ``angle`` with ``height(angle) >= target``.

    Angles within ``tolerance`` of feasible are returned unchanged. Elsewhere
    both directions are scanned in 5° steps up to 100°, the first feasible
    angle on each side is
    refined by bisection and the nearer one is taken (``angle`` itself if
    neither side has one).
    """
    ok = height(angle) >= target - tolerance
    offsets = np.radians(np.arange(-100.0, 101.0, 5.0))
    scan = angle[:, None] + offsets[None, :]
    good = height(scan) >= target[:, None]
    rows = np.arange(angle.size)
    best = angle.copy()
    best_dist = np.full(angle.size, np.inf)
    centre = int(np.argmin(np.abs(offsets)))
    for side in (np.arange(centre + 1, offsets.size), np.arange(centre - 1, -1, -1)):
        hit = good[:, side]
        found = hit.any(axis=1) & ~ok
        index = np.argmax(hit, axis=1)
        first = side[index]
        inner = np.where(index == 0, centre, side[np.maximum(index - 1, 0)])
        lo, hi = scan[rows, inner], scan[rows, first]
        for _ in range(20):
            mid = 0.5 * (lo + hi)
            fine = height(mid) >= target
            lo, hi = np.where(fine, lo, mid), np.where(fine, mid, hi)
        dist = np.abs(hi - angle)
        take = found & (dist < best_dist)
        best, best_dist = np.where(take, hi, best), np.where(take, dist, best_dist)
    return best


def _clear_ground(
    ankle_y: FloatArray,
    foot_angle: FloatArray,
    toe: tuple[FloatArray, FloatArray],
    s: FloatArray,
    body: BodyDimensions,
) -> FloatArray:
    """Turn the swinging foot just enough that the shoe clears the ground.

    Mid-swing the sole must stay ``_CLEARANCE`` leg lengths above the ground
    (fading to 0 at toe-off and contact, where it touches): the toes are
    lifted if the front of the shoe would dip, the toes lowered if the heel
    would, by the smallest rotation that does it (the angle is unchanged
    wherever the shoe is already clear).
    """
    fade = _smoothstep(s / 0.1) * _smoothstep((1.0 - s) / 0.1)
    target = _CLEARANCE * body.leg_length_m * fade

    def heights(angle: FloatArray) -> tuple[FloatArray, FloatArray]:
        shape = (-1,) + (1,) * (angle.ndim - 1)
        toe_model = (toe[0].reshape(shape), toe[1].reshape(shape))
        return _sole_heights(ankle_y.reshape(shape), angle, toe_model, body)

    def front(angle: FloatArray) -> FloatArray:
        return heights(angle)[0]

    def rear(angle: FloatArray) -> FloatArray:
        return heights(angle)[1]

    slack = _TOUCH_TOLERANCE * (1.0 - fade)
    clear_front = _nearest_feasible(front, foot_angle, target, slack)
    return _nearest_feasible(rear, clear_front, target, slack)


def evaluate_hermite(
    knot_times: ArrayLike, values: ArrayLike, slopes: ArrayLike, t: ArrayLike
) -> FloatArray:
    """Evaluate a piecewise cubic Hermite curve (C1 through its knots).

    Parameters
    ----------
    knot_times
        Shape ``(K,)``, strictly increasing.
    values, slopes
        Shape ``(K,)`` or ``(K, D)``: the curve's value and derivative (per
        unit of ``t``) at each knot.
    t
        Shape ``(N,)``: where to evaluate; values outside the knots use the
        first or last segment's cubic.

    Returns
    -------
    numpy.ndarray
        Shape ``(N,)`` or ``(N, D)``.
    """
    tk = np.asarray(knot_times, dtype=float)
    v = np.asarray(values, dtype=float)
    m = np.asarray(slopes, dtype=float)
    x = np.asarray(t, dtype=float)
    i = np.clip(np.searchsorted(tk, x, side="right") - 1, 0, tk.size - 2)
    h = tk[i + 1] - tk[i]
    s = (x - tk[i]) / h
    if v.ndim == 2:
        s, h = s[:, None], h[:, None]
    s2, s3 = s * s, s * s * s
    return (
        (2 * s3 - 3 * s2 + 1) * v[i]
        + (s3 - 2 * s2 + s) * h * m[i]
        + (-2 * s3 + 3 * s2) * v[i + 1]
        + (s3 - s2) * h * m[i + 1]
    )


def _smoothstep(x: FloatArray) -> FloatArray:
    """Cubic smoothstep of ``x`` clipped to [0, 1]."""
    c = np.clip(x, 0.0, 1.0)
    return c * c * (3.0 - 2.0 * c)


def _soft_clamp(hip: FloatArray, ankle: FloatArray, start: float, limit: float) -> FloatArray:
    """Pull ankle positions toward the hip so the leg never over-stretches.

    Distances up to ``start`` are unchanged; beyond it they approach
    ``limit`` smoothly (``tanh``), so the path stays C1.
    """
    delta = ankle - hip
    dist = np.linalg.norm(delta, axis=-1)
    span = max(limit - start, 1e-9)
    excess = np.maximum(dist - start, 0.0)
    new = np.where(dist > start, start + span * np.tanh(excess / span), dist)
    return hip + delta * (new / np.maximum(dist, 1e-12))[:, None]


def _foot_points(
    ankle: FloatArray,
    foot_angle: FloatArray,
    toe_angle: FloatArray,
    body: BodyDimensions,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Heel landmark, foot-index landmark and ball from ankle and angles."""
    vec = _foot_vectors(body)
    heel = ankle + rotate(vec["heel"], foot_angle)
    ball = ankle + rotate(vec["ball"], foot_angle)
    toe = ball + rotate(vec["toe"], toe_angle)
    return heel, toe, ball


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
    params: RunnerParams,
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
    params: RunnerParams, body: BodyDimensions, check: _SwingCheck, error: FloatArray
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


def _plan_pelvis(params: RunnerParams, timing: GaitTiming, contact_height: float) -> PelvisPlan:
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
    params: RunnerParams, body: BodyDimensions, stance: StancePlan, pelvis: PelvisPlan
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


def plan_gait(params: RunnerParams) -> GaitPlan:
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
