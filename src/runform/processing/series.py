"""Small helpers on 1-D time series: runs of a mask, NaN filling."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def find_run_bounds(mask: NDArray[np.bool_]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Return the start and stop (exclusive) indices of the True runs of a 1-D mask."""
    edges = np.diff(np.concatenate(([0], np.asarray(mask).astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def find_runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Return ``(start, stop)`` index pairs of the True runs of ``mask`` (stop exclusive)."""
    starts, stops = find_run_bounds(mask)
    return [(int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def fill_nan_linear(values: FloatArray) -> FloatArray:
    """Return ``values`` with NaNs linearly interpolated (ends held constant).

    All-NaN input is returned unchanged.
    """
    out = np.asarray(values, dtype=float).copy()
    bad = ~np.isfinite(out)
    if bad.all() or not bad.any():
        return out
    idx = np.arange(out.size)
    out[bad] = np.interp(idx[bad], idx[~bad], out[~bad])
    return out
