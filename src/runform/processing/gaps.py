"""Gap filling, the third cleaning step: short holes interpolated and flagged.

:func:`fill_gaps` interpolates interior gaps up to ``max_gap_s`` seconds
(see :mod:`runform.processing.clean` for the whole chain).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import xarray as xr
from numpy.typing import NDArray
from scipy.interpolate import CubicSpline

from runform.io.poses import append_log, validate_poses
from runform.processing.columns import (
    _as_columns,
    _check_range,
    _from_columns,
    _point_mask,
    _position_vars,
)
from runform.processing.series import find_run_bounds

__all__ = ["fill_gaps"]

FloatArray = NDArray[np.floating[Any]]
BoolArray = NDArray[np.bool_]


#: Slack when comparing gap durations to ``max_gap_s`` (seconds).
_TIME_TOLERANCE_S: Final = 1e-9


def _fillable(time_s: FloatArray, valid: BoolArray, max_gap_s: float) -> BoolArray:
    """Mark the samples of interior NaN runs lasting at most ``max_gap_s``.

    A run's duration is ``time[first valid after] - time[first missing]``,
    i.e. ``n_missing / fps`` for evenly spaced frames.
    """
    starts, stops = find_run_bounds(~valid)
    interior = (starts > 0) & (stops < valid.size)
    starts, stops = starts[interior], stops[interior]
    short = time_s[stops] - time_s[starts] <= max_gap_s + _TIME_TOLERANCE_S
    edges = np.zeros(valid.size + 1, dtype=np.intp)
    np.add.at(edges, starts[short], 1)
    np.add.at(edges, stops[short], -1)
    fill: BoolArray = np.cumsum(edges[:-1]) > 0
    return fill


def _interpolate(time_s: FloatArray, values: FloatArray, at_s: FloatArray) -> FloatArray:
    """Not-a-knot cubic spline through (time_s, values) at ``at_s``; linear for 2 points."""
    if time_s.size >= 3:
        result: FloatArray = CubicSpline(time_s, values)(at_s)
        return result
    return np.interp(at_s, time_s, values)


def _fill_series(time_s: FloatArray, values: FloatArray, max_gap_s: float) -> BoolArray:
    """Interpolate short gaps of one series in place; return the filled mask.

    Long gaps split the series into stretches interpolated independently, so
    no spline spans a gap that is left open.
    """
    valid = np.isfinite(values)
    if valid.all() or valid.sum() < 2:
        return np.zeros(values.shape, dtype=bool)
    fill = _fillable(time_s, valid, max_gap_s)
    starts, stops = find_run_bounds(valid | fill)
    for start, stop in zip(starts, stops, strict=True):
        targets = start + np.flatnonzero(fill[start:stop])
        if targets.size:
            known = start + np.flatnonzero(valid[start:stop])
            values[targets] = _interpolate(time_s[known], values[known], time_s[targets])
    return fill


def _fill_variable(
    da: xr.DataArray, time_s: FloatArray, max_gap_s: float
) -> tuple[xr.DataArray, xr.DataArray]:
    columns = _as_columns(da, np.float64)
    filled = np.zeros(columns.shape, dtype=bool)
    for col in range(columns.shape[1]):
        filled[:, col] = _fill_series(time_s, columns[:, col], max_gap_s)
    return _from_columns(da, columns), _point_mask(da, filled)


def fill_gaps(ds: xr.Dataset, max_gap_s: float = 0.1) -> xr.Dataset:
    """Interpolate short runs of missing positions along ``time``.

    Each series (keypoint, axis, individual) of ``position`` and, if present,
    ``world_position`` is filled independently. A NaN run is filled when it
    lies between two valid samples and lasts at most ``max_gap_s``, where its
    duration is measured on the ``time`` coordinate as
    ``time[first valid after] - time[first missing]`` (``n_missing / fps`` for
    evenly spaced frames), so the same setting means the same real-world time
    at any frame rate and for slow-motion clips. Longer runs and leading or
    trailing NaNs stay NaN.

    The interpolant is a not-a-knot cubic spline
    (``scipy.interpolate.CubicSpline``) through the valid samples of each
    stretch between gaps left open (linear when a stretch has only 2 valid
    samples). It reproduces polynomials up to cubic exactly, so straight
    lines are filled exactly, and it restores a turning point inside a gap,
    which shape-preserving PCHIP would flatten (on 1-3 Hz sinusoids with
    0.1 s gaps its error is 3-6 times smaller than PCHIP's).

    Parameters
    ----------
    ds
        A poses dataset.
    max_gap_s
        Longest gap to fill, seconds. The default, 0.1 s (3 frames at 30 fps,
        6 at 60 fps), bridges brief dropouts without inventing a phase of a
        stride (a running step lasts about 0.3-0.4 s).

    Returns
    -------
    xarray.Dataset
        A new dataset with gaps filled and a boolean ``filled``
        (time, keypoint, individual) variable, True where any coordinate of
        the point was interpolated (OR-ed with an existing ``filled``).
        ``confidence`` is unchanged. The log records ``max_gap_s`` and
        ``n_filled``, the number of points newly filled.

    Raises
    ------
    ValueError
        If ``ds`` is not a poses dataset or ``max_gap_s`` is negative.
    """
    validate_poses(ds)
    _check_range("max_gap_s", max_gap_s, 0.0, np.inf)
    time_s = np.asarray(ds["time"].values, dtype=np.float64)
    updates: dict[str, xr.DataArray] = {}
    filled = xr.zeros_like(ds["confidence"], dtype=bool).transpose("time", "keypoint", "individual")
    for name in _position_vars(ds):
        updates[name], var_filled = _fill_variable(ds[name], time_s, max_gap_s)
        filled = filled | var_filled
    n_filled = int(filled.sum())
    if "filled" in ds.data_vars:
        filled = filled | ds["filled"].astype(bool)
    updates["filled"] = filled.transpose("time", "keypoint", "individual")
    out = ds.assign(updates)
    return append_log(out, "fill_gaps", max_gap_s=float(max_gap_s), n_filled=n_filled)
