"""The gait plan's data: stride timing, the stance, pelvis and swing sub-plans, a posed leg.

:func:`runform.synth.gait.plan_gait` fills a :class:`GaitPlan` from the
runner parameters it reads (:class:`GaitParams`);
:func:`runform.synth.gait.compute_leg_pose` turns it into a
:class:`LegPose`. Body frame, metres and seconds, angles in radians (see
:mod:`runform.synth.gait`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from runform.synth.body import BodyDimensions

__all__ = [
    "GaitParams",
    "GaitPlan",
    "GaitTiming",
    "LegPose",
    "StancePlan",
    "compute_gait_timing",
]

FloatArray = NDArray[np.float64]


#: Knee flexions at toe-off that the plan aims for, radians, in order of
#: preference (the first one reachable with the foot at most 80° down).
_TOE_OFF_KNEE_FLEXION = (math.radians(25.0), math.radians(15.0))
#: Smallest knee flexion allowed anywhere in the stride, radians.
_MIN_KNEE_FLEXION = math.radians(2.0)


class GaitParams(Protocol):
    """The runner parameters a gait plan is built from (read only).

    :class:`runform.synth.params.RunnerParams` provides them (see its
    docstring for ranges); the gait modules name only this protocol, so the
    dependency runs one way: the parameters module builds a plan to
    validate itself, and the gait modules do not import it.
    """

    @property
    def body_height_cm(self) -> float:
        """Standing height, cm."""

    @property
    def segment_scales(self) -> dict[str, float]:
        """Segment-length factors by name (for ``compute_body_dimensions``)."""

    @property
    def cadence_spm(self) -> float:
        """Steps per minute (both feet)."""

    @property
    def duty_factor(self) -> float:
        """Stance fraction of a stride, per leg."""

    @property
    def speed_mps(self) -> float:
        """Running speed, m/s."""

    @property
    def foot_angle_deg(self) -> float:
        """Foot angle at initial contact, degrees, toes up +."""

    @property
    def knee_flexion_at_contact_deg(self) -> float:
        """Knee flexion at initial contact, degrees."""

    @property
    def overstride_cm(self) -> float:
        """Contact point ahead of the pelvis centre at initial contact, cm (negative: behind)."""

    @property
    def vertical_oscillation_cm(self) -> float:
        """Peak-to-peak vertical excursion of the pelvis over a step, cm."""

    @property
    def pull_height_frac(self) -> float:
        """Peak height of the swinging heel above the ground, leg lengths."""

    @property
    def pull_behind_hip_cm(self) -> float:
        """Swinging ankle behind the pelvis centre when the heel is highest, cm."""

    @property
    def trunk_lean_deg(self) -> float | None:
        """Pelvis-to-shoulder line from vertical, degrees, forward +; ``None`` with a waist bend."""

    @property
    def waist_bend_deg(self) -> float | None:
        """Trunk angle to the support ankle-to-hip line at mid-stance, degrees, forward +."""

    @property
    def first_contact_phase(self) -> float:
        """Right foot's first initial contact, fraction of a stride after the clip starts."""

    @property
    def approach_hover_ms(self) -> float:
        """Hovering approach before initial contact, ms (0: the steep approach)."""

    @property
    def approach_hover_cm(self) -> float:
        """Lowest point of the shoe when the hover starts, cm."""


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
