"""When the swinging shoe touches the ground: the exact landing of the truth.

Initial contact in the truth is the first instant any part of the shoe
touches ``y = 0``. The gait plan (:mod:`runform.synth.gait`) lands the shoe at
the planned contact time by construction; :func:`check_landing` verifies it
numerically for a hovering approach (:mod:`runform.synth.approach`), whose
last centimetres are flat, so that a shoe touching early is caught when the
parameters are built.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from runform.synth.body import BodyDimensions
from runform.synth.gait import compute_leg_pose
from runform.synth.gait_plan import GaitParams, GaitPlan, LegPose
from runform.synth.swing_path import _sole_heights as sole_heights

__all__ = ["check_landing", "compute_first_touch_s", "compute_lowest_shoe_height"]

FloatArray = NDArray[np.float64]

#: A touch earlier than this before the planned contact is an error, seconds.
_EARLY_TOLERANCE_S = 2e-4


def compute_lowest_shoe_height(leg: LegPose, body: BodyDimensions) -> FloatArray:
    """Height of the lowest point of the shoe, metres, per sample of a leg pose.

    The shoe's lowest candidates are the bottom of the heel, the ball, the
    toe tip and the ``heel`` and ``foot_index`` landmarks (the drawn sole's
    bottom follows the heel-ball-tip line).

    Parameters
    ----------
    leg
        A leg pose from :func:`compute_leg_pose`.
    body
        Segment lengths.

    Returns
    -------
    numpy.ndarray
        Shape ``(N,)``, metres above the ground (0 in stance, where the
        sole rests on the ground).
    """
    flat = np.zeros_like(leg.foot_angle)
    front, rear = sole_heights(leg.ankle[:, 1], leg.foot_angle, (flat, leg.toe_angle), body)
    return np.minimum(front, rear)


def compute_first_touch_s(plan: GaitPlan, step_s: float = 2.5e-4) -> float:
    """First time after toe-off at which the swinging shoe touches the ground.

    Parameters
    ----------
    plan
        Gait plan.
    step_s
        Sampling step, seconds; the crossing is then refined by bisection.

    Returns
    -------
    float
        Seconds after the leg's initial contact (in ``(contact_s,
        stride_s]``): the first instant, from 20 % into the swing, at which
        :func:`compute_lowest_shoe_height` is ≤ 0; ``stride_s`` (the next
        initial contact) when the shoe stays above the ground until then.
    """
    timing = plan.timing
    start = timing.contact_s + 0.2 * timing.swing_s
    t = np.arange(start, timing.stride_s, step_s)

    def height(times: FloatArray) -> FloatArray:
        return compute_lowest_shoe_height(compute_leg_pose(times, plan), plan.body)

    below = np.nonzero(height(t) <= 0.0)[0]
    if below.size == 0:
        return timing.stride_s
    i = int(below[0])
    if i == 0:
        return float(t[0])
    lo, hi = float(t[i - 1]), float(t[i])
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if height(np.array([mid]))[0] <= 0.0 else (mid, hi)
    return hi


def check_landing(params: GaitParams, plan: GaitPlan) -> None:
    """Raise if a hovering shoe would touch the ground before initial contact.

    Parameters
    ----------
    params
        Runner parameters (only checked when ``approach_hover_ms > 0``).
    plan
        The gait plan built from them.

    Raises
    ------
    ValueError
        If the first touch comes more than 0.2 ms before the planned contact.
    """
    if plan.swing.hover_s <= 0:
        return
    early = plan.timing.stride_s - compute_first_touch_s(plan)
    if early > _EARLY_TOLERANCE_S:
        raise ValueError(
            f"with approach_hover_ms={params.approach_hover_ms} and approach_hover_cm="
            f"{params.approach_hover_cm} the shoe would touch the ground "
            f"{early * 1000:.1f} ms before initial contact; lower approach_hover_ms"
        )
