"""Honest verdicts on a change between two sessions.

A difference counts only when it is larger than the *minimal detectable
change* (MDC): ``z * sqrt(u_a**2 + u_b**2)``, with ``u`` each session's
uncertainty of the value (stride-to-stride spread of the mean and the
landmarks' measurement floor) and ``z = 1.96`` (95 %). Anything smaller is
``no_clear_change``, whichever way it points.

Direction: a checkpoint improved when its score rose (its value moved
toward the target band); a gait metric with a preferred direction (see
:data:`METRIC_DIRECTIONS`) improved when it moved that way; a metric with
no preferred direction (step length, flight time) that changed reads
``changed``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

IMPROVED, REGRESSED, NO_CLEAR_CHANGE, NOT_COMPARABLE, CHANGED = (
    "improved",
    "regressed",
    "no_clear_change",
    "not_comparable",
    "changed",
)
#: Two-sided 95 % quantile of the normal distribution.
Z_95 = 1.96

#: Preferred direction of gait metrics: +1 higher is better, -1 lower is
#: better, 0 neither (a change is reported as ``changed``). Metrics not listed
#: are not compared.
METRIC_DIRECTIONS: Mapping[str, int] = MappingProxyType(
    {
        "cadence_spm": +1,
        "ground_contact_ms": -1,
        "duty_factor": -1,
        "vertical_oscillation_cm": -1,
        "vertical_oscillation_pct_leg": -1,
        "flight_ms": 0,
        "step_ms": 0,
        "step_length_m": 0,
        "gct_balance_left_pct": 0,
        "knee_flexion_at_contact_deg": 0,
        "trunk_lean_deg": 0,
    }
)
#: Measurement floor of gait metrics that averaging over strides cannot
#: remove, in the metric's unit (timings: about one frame at 60 fps; angles:
#: a single camera's error; cadence: 1 %).
METRIC_FLOORS: Mapping[str, float] = MappingProxyType(
    {
        "cadence_spm": 1.8,
        "ground_contact_ms": 17.0,
        "flight_ms": 17.0,
        "step_ms": 17.0,
        "duty_factor": 0.03,
        "vertical_oscillation_cm": 0.8,
        "vertical_oscillation_pct_leg": 1.0,
        "step_length_m": 0.05,
        "gct_balance_left_pct": 2.0,
        "knee_flexion_at_contact_deg": 5.0,
        "trunk_lean_deg": 3.0,
    }
)


def compute_mdc(uncertainty_a: float, uncertainty_b: float, z: float = Z_95) -> float:
    """Minimal detectable change from the two sessions' uncertainties (same unit)."""
    return z * math.hypot(uncertainty_a, uncertainty_b)


def judge_change(delta: float, mdc: float, better: float) -> str:
    """Verdict of a change.

    Parameters
    ----------
    delta
        Follow-up minus baseline.
    mdc
        Minimal detectable change (same unit).
    better
        Sign of a better change: ``+1`` (higher better), ``-1``, or ``0`` when
        neither direction is better (then ``changed``). For checkpoints pass
        the sign of the score change.

    Returns
    -------
    str
        ``no_clear_change`` when ``|delta| <= mdc``; else ``improved``,
        ``regressed`` or ``changed``.
    """
    if not (math.isfinite(delta) and math.isfinite(mdc)):
        return NOT_COMPARABLE
    if abs(delta) <= mdc:
        return NO_CLEAR_CHANGE
    if better == 0:
        return CHANGED
    return IMPROVED if delta * better > 0 else REGRESSED


def judge_checkpoint(delta: float, mdc: float, score_a: float, score_b: float) -> str:
    """Verdict of a checkpoint's change: its score says which way is better.

    ``no_clear_change`` when ``|delta| <= mdc`` or when the score did not
    move (both in the target band, or both beyond the fail tolerance);
    else ``improved`` when the score rose and ``regressed`` when it fell.
    """
    if not all(math.isfinite(v) for v in (delta, mdc, score_a, score_b)):
        return NOT_COMPARABLE
    if abs(delta) <= mdc or score_a == score_b:
        return NO_CLEAR_CHANGE
    return IMPROVED if score_b > score_a else REGRESSED
