"""Evaluating a swing plan: the ankle's path, the foot's turn, and ground clearance.

The ankle follows a cubic Hermite curve (:func:`evaluate_hermite`) in polar
coordinates about the hip, softly clamped so the leg never over-stretches;
the foot hangs from the shank, then turns to its landing angle, just
enough off the ground to clear the shoe. See :mod:`runform.synth.gait`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from runform.synth.approach import apply_hover
from runform.synth.body import BodyDimensions
from runform.synth.gait_plan import SwingPlan
from runform.synth.geometry import rotate, solve_two_link
from runform.synth.stance_motion import _foot_vectors

__all__ = ["evaluate_hermite"]

FloatArray = NDArray[np.float64]


#: Swing fraction over which the toes relax after toe-off / reach for contact.
_TOE_RELAX_FRACTION = 0.30
#: Swing fraction where the foot starts turning to its landing angle, and the
#: fraction the turn takes.
_BLEND_RANGE = (0.50, 0.35)
#: Sole clearance kept in mid-swing, leg lengths, and the penetration
#: tolerated next to toe-off and contact, metres.
_CLEARANCE = 0.01
_TOUCH_TOLERANCE = 0.0015


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
