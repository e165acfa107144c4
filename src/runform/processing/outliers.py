"""Outlier rejection, the second cleaning step: a symmetric-window Hampel filter.

:func:`reject_outliers` sets isolated jumps to NaN (see
:mod:`runform.processing.clean` for the whole chain).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import xarray as xr
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from runform.io.poses import append_log, validate_poses
from runform.processing.columns import (
    _as_columns,
    _check_positive,
    _frame_rate_hz,
    _point_mask,
    _position_vars,
)

__all__ = ["MAD_SCALE", "reject_outliers"]

FloatArray = NDArray[np.floating[Any]]
BoolArray = NDArray[np.bool_]


#: Scale making the median absolute deviation a consistent estimator of the
#: standard deviation of normally distributed data.
MAD_SCALE: Final = 1.4826
#: Minimum half-width of the Hampel window, in frames.
_MIN_HALF_WINDOW: Final = 3
#: Number of window elements sorted at once by the Hampel filter (bounds memory).
_HAMPEL_CHUNK_ELEMENTS: Final = 1 << 16


def _window_nanmedian(sorted_windows: np.ndarray, n_valid: NDArray[np.intp]) -> np.ndarray:
    """Return the median of each sorted window whose first ``n_valid`` entries are finite."""
    last = sorted_windows.shape[-1] - 1
    lo = np.maximum((n_valid - 1) // 2, 0)[..., None]
    hi = np.minimum(n_valid // 2, last)[..., None]
    lower = np.take_along_axis(sorted_windows, lo, axis=-1)[..., 0]
    upper = np.take_along_axis(sorted_windows, hi, axis=-1)[..., 0]
    median: np.ndarray = 0.5 * (lower + upper)
    median[n_valid == 0] = np.nan
    return median


def _median_and_mad(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray, NDArray[np.intp]]:
    """Return the NaN-aware median, MAD (unscaled) and valid count along the last axis.

    ``windows`` is sorted in place.
    """
    n_valid = np.count_nonzero(~np.isnan(windows), axis=-1)
    windows.sort(axis=-1)  # NaNs sort last
    median = _window_nanmedian(windows, n_valid)
    deviations = np.abs(windows - median[..., None])
    deviations.sort(axis=-1)
    return median, _window_nanmedian(deviations, n_valid), n_valid


def _hampel_flags(columns: FloatArray, half_window: int, n_sigmas: float) -> BoolArray:
    """Flag samples of ``columns`` (time, series) that the Hampel filter rejects.

    Each sample is judged against the ``2 * half_window + 1`` samples centred
    on it, kept symmetric: the sample ``j`` frames after it is used only if
    the one ``j`` frames before it is valid too, and vice versa (beyond the
    ends of the clip counts as missing). A sample is flagged when
    ``|x - median| > n_sigmas * MAD_SCALE * MAD`` (strictly) and its window
    holds at least ``_MIN_HALF_WINDOW`` valid pairs.
    """
    series = columns.T  # (series, time): windows slide along the contiguous axis
    width = 2 * half_window + 1
    padded = np.pad(series, ((0, 0), (half_window, half_window)), constant_values=np.nan)
    flags = np.zeros(series.shape, dtype=bool)
    step = max(1, _HAMPEL_CHUNK_ELEMENTS // (series.shape[1] * width))
    for start in range(0, series.shape[0], step):
        rows = slice(start, start + step)
        view = sliding_window_view(padded[rows], width, axis=-1)
        windows = view[..., ::-1] * 0  # NaN where the mirror neighbour is missing
        windows += view
        median, mad, n_valid = _median_and_mad(windows)
        outlier = np.abs(series[rows] - median) > n_sigmas * MAD_SCALE * mad
        flags[rows] = outlier & (n_valid > 2 * _MIN_HALF_WINDOW)
    return flags.T


def reject_outliers(ds: xr.Dataset, window_s: float = 0.2, n_sigmas: float = 3.0) -> xr.Dataset:
    """Remove isolated jumps with a Hampel filter (outliers become NaN).

    For every keypoint, pixel axis and individual, each sample is compared to
    the median of a centred window along ``time``; it is an outlier when it
    deviates from that median by more than ``n_sigmas`` scaled MADs
    (``1.4826 * median(|x - median|)``). Outliers are *not* replaced: gap
    filling is :func:`fill_gaps`'s job.

    Windows are kept symmetric about the tested sample: a neighbour ``j``
    frames after it is used only if the one ``j`` frames before it is valid
    too (NaNs and the ends of the clip drop both). A lopsided window, as a
    NaN-ignoring or truncated one is next to a gap or an end, puts the tested
    sample at the edge of its window and flags the ends of any curved
    trajectory. Samples with fewer than 3 valid pairs (e.g. the first and
    last 3 frames) are not tested.

    The MAD of a window includes the motion within it, so on a moving
    keypoint only jumps beyond about ``n_sigmas * 1.48 * v * half_window / 2``
    pixels are caught, ``v`` being its speed in pixels per frame (about
    130 px at 10 px/frame with the defaults at 60 fps).

    A point flagged on either pixel axis is removed as a whole: both pixel
    coordinates and its ``world_position`` (if present), since a wrong
    detection is wrong in every coordinate. ``world_position`` is not tested
    on its own.

    Parameters
    ----------
    ds
        A poses dataset with at least 2 time points.
    window_s
        Full length of the centred window, seconds. It is converted to a
        half-width of ``max(3, round(window_s * fps / 2))`` frames, ``fps``
        being the real frame rate from the ``time`` coordinate. The default,
        0.2 s (13 frames at 60 fps, 7 at 30 fps), catches bursts of a few
        bad frames (fewer than ``half_window``) while keeping small the motion
        within a window, which inflates the MAD.
    n_sigmas
        Threshold in scaled MADs (dimensionless); 3 is Hampel's usual choice.

    Returns
    -------
    xarray.Dataset
        A new dataset with outliers set to NaN. The log records the
        parameters, the frame rate (Hz), the half-window (frames) and
        ``n_outliers``, the number of (time, keypoint, individual) points
        removed.

    Raises
    ------
    ValueError
        If ``ds`` is not a poses dataset, has fewer than 2 time points, or a
        parameter is not positive.
    """
    validate_poses(ds)
    _check_positive("window_s", window_s)
    _check_positive("n_sigmas", n_sigmas)
    fps = _frame_rate_hz(ds)
    half_window = max(_MIN_HALF_WINDOW, int(np.floor(window_s * fps / 2 + 0.5)))
    flags = _hampel_flags(_as_columns(ds["position"], np.float32), half_window, n_sigmas)
    outlier = _point_mask(ds["position"], flags)
    out = ds.assign({name: ds[name].where(~outlier) for name in _position_vars(ds)})
    return append_log(
        out,
        "reject_outliers",
        window_s=float(window_s),
        n_sigmas=float(n_sigmas),
        frame_rate_hz=fps,
        half_window_frames=half_window,
        n_outliers=int(outlier.sum()),
    )
