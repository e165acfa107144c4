"""Low-pass filtering, the last cleaning step: zero-lag Butterworth smoothing.

:func:`filter_lowpass` smooths every run of valid samples (see
:mod:`runform.processing.clean` for the whole chain).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import xarray as xr
from numpy.typing import NDArray
from scipy.signal import butter, sosfiltfilt

from runform.io.poses import append_log, validate_poses
from runform.processing.columns import (
    _as_columns,
    _check_order,
    _check_positive,
    _frame_rate_hz,
    _from_columns,
    _position_vars,
)
from runform.processing.series import find_run_bounds

__all__ = ["filter_lowpass"]

FloatArray = NDArray[np.floating[Any]]


#: Filtering is skipped when the cutoff is at least this fraction of Nyquist.
_MAX_NYQUIST_FRACTION: Final = 0.95


def _winter_design_cutoff_hz(cutoff_hz: float, fs_hz: float, order: int) -> float:
    """Single-pass design cutoff putting the two-pass -3 dB point at ``cutoff_hz``.

    Winter (2009) correction, generalised to order ``N``: in the pre-warped
    frequency domain ``tan(pi f_design / fs) = tan(pi f_c / fs) / C`` with
    ``C = (2**(1/2) - 1) ** (1 / (2 N))`` for two passes.
    """
    correction = (np.sqrt(2.0) - 1.0) ** (1.0 / (2 * order))
    warped = np.tan(np.pi * cutoff_hz / fs_hz) / correction
    return float(np.arctan(warped) * fs_hz / np.pi)


def _default_padlen(sos: np.ndarray) -> int:
    """Return the ``padlen`` that ``scipy.signal.sosfiltfilt`` uses by default."""
    n_zero_b2 = int((sos[:, 2] == 0).sum())
    n_zero_a2 = int((sos[:, 5] == 0).sum())
    return 3 * (2 * len(sos) + 1 - min(n_zero_b2, n_zero_a2))


def _lowpass_columns(columns: FloatArray, sos: np.ndarray, padlen: int) -> tuple[FloatArray, int]:
    """Filter every finite run of every column; return the result and short-run count.

    Runs of ``padlen`` samples or fewer are left unfiltered and counted.
    """
    out = columns.copy()
    n_short = 0
    complete = np.isfinite(columns).all(axis=0)
    if complete.any():
        if columns.shape[0] > padlen:
            out[:, complete] = sosfiltfilt(sos, columns[:, complete], axis=0, padlen=padlen)
        else:
            n_short += int(complete.sum())
    for col in np.flatnonzero(~complete):
        starts, stops = find_run_bounds(np.isfinite(columns[:, col]))
        long_runs = stops - starts > padlen
        n_short += int((~long_runs).sum())
        for start, stop in zip(starts[long_runs], stops[long_runs], strict=True):
            out[start:stop, col] = sosfiltfilt(sos, columns[start:stop, col], padlen=padlen)
    return out, n_short


def filter_lowpass(ds: xr.Dataset, cutoff_hz: float = 8.0, order: int = 4) -> xr.Dataset:
    """Smooth positions with a zero-lag low-pass Butterworth filter.

    The filter (``scipy.signal.butter(..., output="sos")``) runs forwards and
    backwards (``sosfiltfilt``), so it has no phase lag. Running it twice
    squares the magnitude response: the effective order is ``2 * order``
    (8 for the default) and an uncorrected filter would be -6 dB, not -3 dB,
    at its design cutoff, whose true -3 dB point would drop to about 0.9 of
    it. This function applies the Winter (2009) correction for the number of
    passes, generalised to order ``N``: the design cutoff is raised, in the
    pre-warped domain, by ``1 / C`` with ``C = (sqrt(2) - 1) ** (1 / (2 N))``
    (0.896 for ``N = 4``), so the zero-lag filter as a whole is -3 dB at
    exactly ``cutoff_hz``.

    The sampling rate is ``1 / median(diff(time))``, so the cutoff is in
    real-world Hz whatever the video frame rate or slow-motion factor; the
    samples are assumed evenly spaced. Each contiguous run of finite samples
    of each series is filtered separately and NaNs stay NaN. Runs no longer
    than the default ``sosfiltfilt`` pad length (15 samples for order 4, i.e.
    0.25 s at 60 fps) are left unfiltered rather than filtered with a
    transient-dominated short pad; their number is logged.

    Parameters
    ----------
    ds
        A poses dataset with at least 2 time points.
    cutoff_hz
        -3 dB frequency of the zero-lag filter, Hz. The default, 8 Hz, keeps
        the stride (about 1.3-1.6 Hz) and its first harmonics and removes
        frame-to-frame jitter; 6-10 Hz is usual for running kinematics.
    order
        Order of the single-pass Butterworth filter.

    Returns
    -------
    xarray.Dataset
        A new dataset with ``position`` (and ``world_position`` if present)
        filtered. If ``cutoff_hz >= 0.95 * fps / 2`` the data are returned
        unfiltered and the log entry has a ``skipped`` reason. Otherwise the
        log records the parameters, the frame rate, the design cutoff and
        ``n_runs_unfiltered``.

    Raises
    ------
    ValueError
        If ``ds`` is not a poses dataset, has fewer than 2 time points,
        ``cutoff_hz`` is not positive or ``order`` is not a positive integer.
    """
    validate_poses(ds)
    _check_positive("cutoff_hz", cutoff_hz)
    _check_order(order)
    fs_hz = _frame_rate_hz(ds)
    params: dict[str, Any] = {"cutoff_hz": float(cutoff_hz), "order": int(order)}
    params["frame_rate_hz"] = fs_hz
    if cutoff_hz >= _MAX_NYQUIST_FRACTION * fs_hz / 2:
        reason = (
            f"cutoff {cutoff_hz:g} Hz is not below {_MAX_NYQUIST_FRACTION:g} x the "
            f"Nyquist frequency ({fs_hz / 2:g} Hz)"
        )
        return append_log(ds, "filter_lowpass", **params, skipped=reason)
    design_hz = _winter_design_cutoff_hz(cutoff_hz, fs_hz, order)
    sos = butter(order, design_hz, btype="low", output="sos", fs=fs_hz)
    padlen = _default_padlen(sos)
    updates, n_short = {}, 0
    for name in _position_vars(ds):
        filtered, short = _lowpass_columns(_as_columns(ds[name], np.float64), sos, padlen)
        updates[name] = _from_columns(ds[name], filtered)
        n_short += short
    params.update(design_cutoff_hz=design_hz, n_runs_unfiltered=n_short)
    return append_log(ds.assign(updates), "filter_lowpass", **params)
