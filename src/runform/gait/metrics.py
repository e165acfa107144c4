"""Spatiotemporal running metrics, named as running watches name them.

Every metric is a :class:`Metric`: a value with its stride-to-stride standard
deviation, the number of strides or steps behind it, a unit, and, when it
cannot be measured, ``value=None`` with the reason. Names and units follow
Garmin Running Dynamics: cadence in steps per minute (both feet), ground
contact time in ms, ground contact time balance as the left foot's share in
%, vertical oscillation in cm.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from runform.gait.strides import Stride

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Metric:
    """One measured quantity with its spread, or the reason it is missing.

    Attributes
    ----------
    value
        The value (a mean over strides or steps), or ``None``.
    sd
        Standard deviation across strides or steps (same unit), or ``None``.
    n
        Number of strides or steps behind the value.
    unit
        Unit, e.g. ``"spm"``, ``"ms"``, ``"cm"``.
    reason
        Why ``value`` is ``None``; empty otherwise.
    """

    value: float | None
    sd: float | None
    n: int
    unit: str
    reason: str = ""

    @property
    def sem(self) -> float | None:
        """Standard error of the mean (``sd / sqrt(n)``), or ``None``."""
        if self.sd is None or self.n < 2:
            return None
        return self.sd / float(np.sqrt(self.n))

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        out: dict[str, object] = {
            "value": None if self.value is None else round(self.value, 4),
            "sd": None if self.sd is None else round(self.sd, 4),
            "n": self.n,
            "unit": self.unit,
        }
        if self.reason:
            out["reason"] = self.reason
        return out


def missing(unit: str, reason: str) -> Metric:
    """Return a metric that cannot be measured, with the reason."""
    return Metric(None, None, 0, unit, reason)


def summarise(
    values: Sequence[float] | FloatArray,
    unit: str,
    min_n: int = 1,
    weights: Sequence[float] | FloatArray | None = None,
) -> Metric:
    """Mean and SD of the finite ``values``; missing when fewer than ``min_n``.

    Parameters
    ----------
    values
        Per-stride (or per-step) values.
    unit
        Their unit.
    min_n
        Fewest finite values that make a measurement.
    weights
        Non-negative weight of each value (e.g. the far leg's strides count
        less); the mean is weighted and the SD is the weighted SD with the
        reliability-weights correction. ``None`` weighs all equally.
    """
    array = np.asarray(values, dtype=float)
    w = np.ones_like(array) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(array) & np.isfinite(w) & (w > 0)
    array, w = array[ok], w[ok]
    if array.size < max(1, min_n):
        return missing(unit, f"needs at least {max(1, min_n)} measured values, got {array.size}")
    mean = float(np.average(array, weights=w))
    sd = None
    if array.size > 1:
        v1, v2 = w.sum(), np.sum(w**2)
        sd = float(np.sqrt(np.sum(w * (array - mean) ** 2) / (v1 - v2 / v1)))
    return Metric(mean, sd, int(array.size), unit)


def compute_cadence(stride_times_s: FloatArray, weights: FloatArray | None = None) -> Metric:
    """Cadence, steps per minute, from stride times (``120 / mean stride time``).

    A stride (one foot's contact to its next) holds two steps. Stride times
    are used rather than step times because a constant timing offset of one
    foot's events (the far foot, seen worse) cancels within a stride but not
    within a step. ``weights`` (e.g. the strides' landmark confidence) weigh
    the mean stride time. The SD is that of the per-stride cadences.
    """
    strides = np.asarray(stride_times_s, dtype=float)
    stride = summarise(
        strides[strides > 0],
        "s",
        weights=None if weights is None else np.asarray(weights)[strides > 0],
    )
    if stride.value is None:
        return missing("spm", "needs at least 1 complete stride, got 0")
    per_stride = summarise(120.0 / strides[strides > 0], "spm")
    return Metric(120.0 / stride.value, per_stride.sd, stride.n, "spm")


def compute_contact_metrics(strides: Sequence[Stride]) -> dict[str, Metric]:
    """Ground contact time, flight time, step time, stride time and duty factor.

    Each stride counts with its landmark confidence, so the far leg's strides
    (guessed behind the body, confidence down-weighted) count less.

    Returns
    -------
    dict
        ``ground_contact_ms``, ``flight_ms``, ``step_ms``, ``stride_ms`` and
        ``duty_factor``.
    """

    def column(name: str) -> FloatArray:
        return np.array([getattr(s, name) for s in strides], dtype=float)

    weights = column("confidence")
    return {
        "ground_contact_ms": summarise(column("contact_ms"), "ms", weights=weights),
        "flight_ms": summarise(column("flight_ms"), "ms", weights=weights),
        "step_ms": summarise(column("step_ms"), "ms", weights=weights),
        "stride_ms": summarise(column("stride_ms"), "ms", weights=weights),
        "duty_factor": summarise(column("contact_ms") / column("stride_ms"), "1", weights=weights),
    }


def compute_balance(strides: Sequence[Stride]) -> Metric:
    """Ground contact time balance: the left foot's share of L+R contact time, %.

    50 % is symmetric; above 50 % the left foot stays down longer.
    """
    means = {}
    for side in ("left", "right"):
        times = np.array([s.contact_ms for s in strides if s.side == side], dtype=float)
        times = times[np.isfinite(times)]
        if times.size == 0:
            return missing("%", f"no timed contact of the {side} foot")
        means[side] = float(np.mean(times))
    n = sum(np.isfinite(s.contact_ms) for s in strides)
    return Metric(100.0 * means["left"] / (means["left"] + means["right"]), None, int(n), "%")


def compute_vertical_oscillation(
    up: FloatArray, time_s: FloatArray, contact_times_s: FloatArray
) -> FloatArray:
    """Peak-to-peak vertical travel within each step.

    Parameters
    ----------
    up
        Height of the body point (the pelvis centre, as a torso-worn watch
        measures it) in any length unit, up positive.
    time_s
        Frame times, seconds.
    contact_times_s
        Initial contacts of both feet, seconds, ascending.

    Returns
    -------
    numpy.ndarray
        One value per step (between consecutive contacts), same unit as
        ``up``; NaN where frames are missing.
    """
    values = []
    for start, stop in itertools.pairwise(contact_times_s):
        inside = up[(time_s >= start) & (time_s <= stop)]
        if inside.size < 3 or not np.isfinite(inside).all():
            values.append(float("nan"))
            continue
        values.append(float(np.max(inside) - np.min(inside)))
    return np.asarray(values, dtype=float)
