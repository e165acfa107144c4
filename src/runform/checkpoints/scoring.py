"""Scores with honest uncertainty: pure functions from values to a status.

A checkpoint's value is the weighted mean over strides. Its uncertainty
combines the bootstrap spread of that mean over strides (how consistent the
runner is, and how noisy the landmarks are frame to frame) with the
rubric's measurement floor (what averaging cannot remove: the pose model's
own error, and one video frame for timings). A value outside the pass band
by less than that uncertainty is a ``warn``, never a confident ``fail``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from runform.checkpoints.rubric import Band

FloatArray = NDArray[np.float64]

PASS, WARN, FAIL, NOT_MEASURED = "pass", "warn", "fail", "not_measured"
#: A measured checkpoint that is shown but not scored (no target is known to
#: tell good from poor running on real footage; see ``scored`` in the rubric).
OBSERVED = "observed"


def compute_distance_outside(value: float, target: tuple[float, float]) -> float:
    """How far ``value`` lies outside ``target = (low, high)``; 0 inside."""
    low, high = target
    return max(low - value, value - high, 0.0)


def compute_score(value: float, band: Band) -> float:
    """Score 0-100: 100 inside the target, 50 at ``warn`` outside, 0 at ``fail``.

    Linear in between. ``value`` must be finite.
    """
    d = compute_distance_outside(value, band.target)
    if d <= band.warn:
        return 100.0 - 50.0 * d / band.warn
    if d >= band.fail:
        return 0.0
    return 50.0 - 50.0 * (d - band.warn) / (band.fail - band.warn)


def classify_status(value: float, band: Band, uncertainty: float) -> tuple[str, str]:
    """Status of a measured value, and why when it is softened.

    Parameters
    ----------
    value
        The measured value.
    band
        Target and tolerances.
    uncertainty
        Uncertainty of ``value`` (one standard deviation), same unit.

    Returns
    -------
    tuple of str
        ``(status, reason)``: ``pass`` inside the target; ``warn`` up to
        ``warn`` outside it; ``fail`` further out, unless the margin beyond
        ``warn`` is smaller than the uncertainty, which gives ``warn`` with
        the reason.
    """
    d = compute_distance_outside(value, band.target)
    if d == 0.0:
        return PASS, ""
    if d <= band.warn:
        return WARN, ""
    margin = d - band.warn
    if margin <= uncertainty:
        return WARN, (
            f"beyond the warning band by {margin:.3g}, less than the uncertainty "
            f"{uncertainty:.3g}: not a confident fail"
        )
    return FAIL, ""


def bootstrap_mean(
    values: FloatArray, weights: FloatArray, n_boot: int, rng: np.random.Generator
) -> tuple[float, float, int]:
    """Weighted mean of per-stride values and the bootstrap SD of that mean.

    Parameters
    ----------
    values
        One value per stride (NaN ignored).
    weights
        Non-negative weight per stride (0 ignored).
    n_boot
        Bootstrap resamples (strides drawn with replacement).
    rng
        Random generator (pass a seeded one for repeatable results).

    Returns
    -------
    tuple
        ``(mean, sd, n)``: NaN mean when no stride counts; SD 0 with one
        stride (the caller's floor then carries the uncertainty).
    """
    ok = np.isfinite(values) & np.isfinite(weights) & (weights > 0)
    v, w = values[ok], weights[ok]
    if v.size == 0:
        return float("nan"), float("nan"), 0
    mean = float(np.average(v, weights=w))
    if v.size == 1:
        return mean, 0.0, 1
    picks = rng.integers(0, v.size, size=(n_boot, v.size))
    pw = w[picks]
    means = np.sum(v[picks] * pw, axis=1) / np.sum(pw, axis=1)
    return mean, float(np.std(means, ddof=1)), int(v.size)


def combine_uncertainty(spread: float, floor: float) -> float:
    """Root-sum-square of the spread of the mean and the measurement floor."""
    spread = 0.0 if not math.isfinite(spread) else spread
    return float(math.hypot(spread, floor))


def compute_floor(band: Band, fps: float) -> float:
    """Return the band's floor plus ``floor_frames`` frames at ``fps`` (ms), root-sum-square."""
    frames_ms = band.floor_frames * 1000.0 / fps if fps > 0 else 0.0
    return float(math.hypot(band.floor, frames_ms))
