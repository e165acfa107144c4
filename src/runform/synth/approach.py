"""The swing foot's approach to landing: steep, or hovering low before contact.

By default (:mod:`runform.synth.gait`) the ankle reaches its terminal-swing
point about 6 % of a leg length above its contact height and comes down in
the last ~15 % of the swing. Real runners often bring the foot low earlier
and let it settle the last centimetre or two slowly; a detector tuned to the
steep approach then calls the landing early. :func:`apply_hover` reshapes
the end of the swing path so that, ``hover_s`` seconds before initial
contact, the lowest point of the shoe is ``hover_m`` above the ground, and
from there it descends smoothly (``h = H (1.5 u - 0.5 u³)``, ``u`` the time
left over ``hover_s``) to touch the ground exactly at the planned contact.

Only the ankle's height is reshaped (the foot and toe angles are kept), so
the lowest shoe point follows the profile exactly; where lowering the ankle
would stretch the leg beyond its length at contact the ankle moves toward
the hip instead (horizontally, or up if it must), which can only raise the
shoe. Body frame, metres, as in :mod:`runform.synth.gait`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["apply_hover", "hover_profile"]

FloatArray = NDArray[np.float64]

#: Length of the blend from the steep path into the hover, as a fraction of
#: the hover duration.
BLEND_FRACTION = 0.6


def _smoothstep(x: FloatArray) -> FloatArray:
    """Cubic smoothstep of ``x`` clipped to [0, 1]."""
    c = np.clip(x, 0.0, 1.0)
    return c * c * (3.0 - 2.0 * c)


def hover_profile(time_to_contact_s: FloatArray, hover_s: float, hover_m: float) -> FloatArray:
    """Height of the lowest shoe point during the hover, metres.

    Parameters
    ----------
    time_to_contact_s
        Time left until initial contact, seconds (≥ 0).
    hover_s
        Hover duration, seconds (> 0).
    hover_m
        Height when the hover starts, metres (> 0).

    Returns
    -------
    numpy.ndarray
        ``hover_m * (1.5 u - 0.5 u³)`` with ``u = min(t / hover_s, 1)``:
        0 at contact, ``hover_m`` (with zero slope) at the hover's start and
        before; strictly positive for ``t > 0``.
    """
    u = np.clip(np.asarray(time_to_contact_s, dtype=float) / hover_s, 0.0, 1.0)
    return np.asarray(hover_m * (1.5 * u - 0.5 * u**3), dtype=np.float64)


def apply_hover(
    time_to_contact_s: FloatArray,
    hip: FloatArray,
    ankle: FloatArray,
    lowest_offset_m: FloatArray,
    *,
    hover_s: float,
    hover_m: float,
    contact_reach_m: float,
    reach_limit_m: float,
) -> FloatArray:
    """Reshape the end of the swing so the foot hovers before contact.

    Parameters
    ----------
    time_to_contact_s
        Shape ``(N,)``: time left until initial contact, seconds.
    hip, ankle
        Shape ``(N, 2)``: hip joint and (steep-approach) ankle, metres.
    lowest_offset_m
        Shape ``(N,)``: height of the lowest shoe point relative to the
        ankle for the foot and toe angles at those times, metres (negative).
    hover_s, hover_m
        Hover duration (seconds) and starting height of the lowest shoe
        point (metres).
    contact_reach_m
        Hip-ankle distance at initial contact, metres.
    reach_limit_m
        Largest hip-ankle distance ever allowed, metres.

    Returns
    -------
    numpy.ndarray
        Shape ``(N, 2)``: the new ankle positions. Unchanged more than
        ``(1 + BLEND_FRACTION) * hover_s`` before contact; inside the hover
        the lowest shoe point is :func:`hover_profile` above the ground
        (higher only where the leg length forbids it); in between a smooth
        blend, never below ``min(hover_m, steep height)``.
    """
    tau = np.asarray(time_to_contact_s, dtype=float)
    blend = _smoothstep((tau - hover_s) / (BLEND_FRACTION * hover_s))
    weight = 1.0 - blend
    height = ankle[:, 1] + lowest_offset_m
    target = hover_profile(tau, hover_s, hover_m)
    out = ankle.copy()
    out[:, 1] = ankle[:, 1] + (target - height) * weight
    changed = weight > 0.0
    base_reach = np.linalg.norm(ankle - hip, axis=-1)
    limit = np.minimum(np.maximum(base_reach, contact_reach_m), reach_limit_m)
    delta = out - hip
    dist = np.linalg.norm(delta, axis=-1)
    fix = changed & (dist > limit)
    if np.any(fix):
        drop = -delta[fix, 1]
        lim = limit[fix]
        across = np.sqrt(np.maximum(lim**2 - drop**2, 0.0))
        x = hip[fix, 0] + np.sign(delta[fix, 0]) * across
        y = hip[fix, 1] - np.minimum(drop, lim)
        out[fix, 0], out[fix, 1] = x, y
    return out
