"""Reading the legs out of a poses dataset, for the leg-swap repair and the near side.

The individual, the side-prefixed keypoint names, positions per side, the
body scale (median hip-to-ankle length), and the frame interval and numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import xarray as xr
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


_DEFAULT_FRAME_S: Final = 1.0 / 30.0


def _pick_individual(ds: xr.Dataset, individual: str | None) -> str:
    names = [str(name) for name in ds["individual"].values]
    if individual is None:
        return names[0]
    if individual not in names:
        raise ValueError(f"Expected individual to be one of {names}, got {individual!r}.")
    return individual


def _side_names(parts: Sequence[str]) -> tuple[list[str], list[str]]:
    return [f"left_{p}" for p in parts], [f"right_{p}" for p in parts]


def _leg_positions(ds: xr.Dataset, individual: str, parts: Sequence[str]) -> FloatArray:
    """Return positions shaped ``(n_time, side, keypoint, space)`` (left, right)."""
    left, right = _side_names(parts)
    missing = sorted(set(left + right) - {str(k) for k in ds["keypoint"].values})
    if missing:
        raise ValueError(f"Poses dataset lacks keypoints {missing}.")
    pos = ds["position"].sel(individual=individual).transpose("time", "keypoint", "space")
    return np.stack([pos.sel(keypoint=left).values, pos.sel(keypoint=right).values], axis=1).astype(
        np.float64
    )


def _body_scale(ds: xr.Dataset, individual: str) -> float:
    """Median hip-to-ankle length over frames and both sides, pixels."""
    hips = _leg_positions(ds, individual, ("hip",))
    ankles = _leg_positions(ds, individual, ("ankle",))
    lengths = np.linalg.norm(hips - ankles, axis=-1)
    if not np.isfinite(lengths).any():
        return float("nan")
    return float(np.nanmedian(lengths))


def _frame_interval(ds: xr.Dataset) -> float:
    """Median frame interval in seconds (1/30 s when it cannot be measured)."""
    steps = np.diff(np.asarray(ds["time"].values, dtype=np.float64))
    steps = steps[np.isfinite(steps) & (steps > 0)]
    return float(np.median(steps)) if steps.size else _DEFAULT_FRAME_S


def _frame_numbers(ds: xr.Dataset) -> NDArray[np.int64]:
    if "frame" in ds.coords:
        return np.asarray(ds["frame"].values, dtype=np.int64)
    return np.arange(ds.sizes["time"], dtype=np.int64)
