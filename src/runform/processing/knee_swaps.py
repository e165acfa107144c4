"""The knee pass of the leg-swap repair: each knee to the leg whose thigh and shank fit.

A two-state Viterbi over the relative thigh and shank length errors, run
only where the hips overlap as in a side view (see
:func:`runform.processing.legswap.repair_leg_swaps`).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.processing.leg_access import _body_scale, _leg_positions

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]


_SIDE_VIEW_HIP_SEPARATION: Final = 0.2  # hip-to-hip over hip-to-ankle; side <= 0.12, rear 0.27


def _knee_swaps(ds: xr.Dataset, individual: str, switch_penalty: float) -> BoolArray:
    """Frames where exchanging the knees gives both legs their usual thigh and shank.

    The usual lengths are the medians per side as labelled; the cost of a
    labelling is the summed relative length error of both thighs and shanks.
    """
    hips, knees, ankles = (
        _leg_positions(ds, individual, (p,))[:, :, 0] for p in ("hip", "knee", "ankle")
    )
    n_time = knees.shape[0]
    as_given = _segment_lengths(hips, knees, ankles)  # (segment, n_time, side)
    if n_time < 2 or not np.isfinite(as_given).any(axis=1).all():
        return np.zeros(n_time, dtype=bool)
    usual = np.nanmedian(as_given, axis=1, keepdims=True)
    if not np.all(usual > 0):
        return np.zeros(n_time, dtype=bool)
    swapped = _segment_lengths(hips, knees[:, ::-1], ankles)
    cost0, cost1 = (
        np.nan_to_num(np.abs(lengths / usual - 1.0)).sum(axis=(0, 2))
        for lengths in (as_given, swapped)
    )
    return _binary_viterbi(cost0, cost1, switch_penalty)


def _segment_lengths(hips: FloatArray, knees: FloatArray, ankles: FloatArray) -> FloatArray:
    """Thigh and shank lengths, ``(segment, n_time, side)``."""
    return np.stack(
        [np.linalg.norm(knees - hips, axis=-1), np.linalg.norm(ankles - knees, axis=-1)]
    )


def _looks_side_on(ds: xr.Dataset, individual: str) -> bool:
    """Whether the hips overlap as in a side view (median separation below a threshold)."""
    hips = _leg_positions(ds, individual, ("hip",))[:, :, 0]
    separation = np.linalg.norm(hips[:, 0] - hips[:, 1], axis=-1)
    scale = _body_scale(ds, individual)
    if not np.isfinite(separation).any() or not scale > 0:
        return False
    return bool(np.nanmedian(separation) < _SIDE_VIEW_HIP_SEPARATION * scale)


def _binary_viterbi(cost0: FloatArray, cost1: FloatArray, switch_penalty: float) -> BoolArray:
    """Cheapest two-state path given per-frame state costs and a switch penalty."""
    n_time = cost0.size
    back = np.zeros((n_time, 2), dtype=bool)  # True: came from the other state
    best0, best1 = float(cost0[0]), float(cost1[0])
    for t in range(1, n_time):
        c0, c1 = float(cost0[t]), float(cost1[t])
        stay0, cross0 = best0, best1 + switch_penalty
        stay1, cross1 = best1, best0 + switch_penalty
        back[t] = (cross0 < stay0, cross1 < stay1)
        best0, best1 = min(stay0, cross0) + c0, min(stay1, cross1) + c1
    states = np.zeros(n_time, dtype=bool)
    state = int(best1 < best0)
    for t in range(n_time - 1, -1, -1):
        states[t] = bool(state)
        state = state ^ int(back[t, state])
    return states
