"""The stance foot's roll on the ground and the pelvis's rise and fall (body frame).

The foot points relative to the ankle, the sole angle and ankle position of
a planted foot (:func:`compute_stance_foot`), and the pelvis height
(:func:`compute_pelvis_height`) with its velocity, also as distance and
angle about the hip (for the swing path). See :mod:`runform.synth.gait`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from runform.synth.body import BodyDimensions
from runform.synth.gait_plan import PelvisPlan, StancePlan
from runform.synth.geometry import rotate

__all__ = ["compute_pelvis_height", "compute_stance_foot", "compute_stance_foot_angle"]

FloatArray = NDArray[np.float64]


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
