"""Validation and array helpers shared by the cleaning steps (:mod:`runform.processing.clean`).

Parameter checks, the frame rate from the ``time`` coordinate, and the
conversion of a position variable to and from a ``(time, series)`` array of
columns.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import xarray as xr
from numpy.typing import NDArray

FloatArray = NDArray[np.floating[Any]]
BoolArray = NDArray[np.bool_]


#: Variables with positions along ``time`` that the cleaning steps transform.
_POSITION_VARS: Final = ("position", "world_position")


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not (np.isfinite(value) and low <= value <= high):
        raise ValueError(f"Expected '{name}' in [{low}, {high}], got {value!r}.")


def _check_positive(name: str, value: float) -> None:
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"Expected '{name}' to be a positive finite number, got {value!r}.")


def _check_order(order: int) -> None:
    if isinstance(order, bool) or not isinstance(order, int | np.integer) or order < 1:
        raise ValueError(f"Expected 'order' to be a positive integer, got {order!r}.")


def _frame_rate_hz(ds: xr.Dataset) -> float:
    """Return the real-world frame rate, 1 / median interval of ``time`` (Hz)."""
    time_s = np.asarray(ds["time"].values, dtype=np.float64)
    if time_s.size < 2:
        raise ValueError(
            f"Need at least 2 time points to derive the frame rate, got {time_s.size}."
        )
    dt = np.diff(time_s)
    if not (np.all(np.isfinite(dt)) and np.all(dt > 0)):
        raise ValueError("Expected the 'time' coordinate to be finite and strictly increasing.")
    return float(1.0 / np.median(dt))


def _position_vars(ds: xr.Dataset) -> list[str]:
    return [name for name in _POSITION_VARS if name in ds.data_vars]


def _as_columns(da: xr.DataArray, dtype: type[np.floating[Any]]) -> FloatArray:
    """Return ``da`` as a ``(n_time, n_series)`` array (a copy, never a view)."""
    values = da.transpose("time", ...).values
    return np.array(values.reshape(values.shape[0], -1), dtype=dtype)


def _from_columns(da: xr.DataArray, columns: np.ndarray) -> xr.DataArray:
    """Inverse of :func:`_as_columns`: a DataArray like ``da`` holding ``columns``."""
    template = da.transpose("time", ...)
    data = columns.reshape(template.shape)
    if data.dtype != np.bool_:
        data = data.astype(da.dtype, copy=False)
    return template.copy(data=data).transpose(*da.dims)


def _point_mask(da: xr.DataArray, columns: BoolArray) -> xr.DataArray:
    """Collapse a per-coordinate boolean mask to (time, keypoint, individual)."""
    mask = _from_columns(da, columns)
    spatial = [dim for dim in mask.dims if dim not in ("time", "keypoint", "individual")]
    return mask.any(spatial).transpose("time", "keypoint", "individual")
