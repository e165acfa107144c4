"""Clean a poses dataset: confidence gating, outliers, gap filling, low-pass.

The steps run in this order in :func:`clean_poses`:

1. :func:`gate_confidence` - drop points MediaPipe itself doubts;
2. :func:`reject_outliers` - drop isolated jumps (Hampel filter);
3. :func:`fill_gaps` - interpolate short holes, flagging them in ``filled``;
4. :func:`filter_lowpass` - zero-lag Butterworth smoothing of what is left.

Every function is pure (it returns a new dataset and never writes into the
arrays of its input) and appends its parameters to the provenance log. All
durations are in seconds of real-world time and all rates are derived from the
``time`` coordinate, so the same settings behave the same at any frame rate
and for slow-motion clips.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import xarray as xr
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray
from scipy.interpolate import CubicSpline
from scipy.signal import butter, sosfiltfilt

from runform.io.poses import append_log, validate_poses
from runform.processing.series import find_run_bounds

__all__ = [
    "DEFAULT_SETTINGS",
    "MAD_SCALE",
    "CleaningSettings",
    "clean_poses",
    "fill_gaps",
    "filter_lowpass",
    "gate_confidence",
    "reject_outliers",
]

FloatArray = NDArray[np.floating[Any]]
BoolArray = NDArray[np.bool_]

#: Scale making the median absolute deviation a consistent estimator of the
#: standard deviation of normally distributed data.
MAD_SCALE: Final = 1.4826
#: Variables with positions along ``time`` that the cleaning steps transform.
_POSITION_VARS: Final = ("position", "world_position")
#: Minimum half-width of the Hampel window, in frames.
_MIN_HALF_WINDOW: Final = 3
#: Number of window elements sorted at once by the Hampel filter (bounds memory).
_HAMPEL_CHUNK_ELEMENTS: Final = 1 << 16
#: Slack when comparing gap durations to ``max_gap_s`` (seconds).
_TIME_TOLERANCE_S: Final = 1e-9
#: Filtering is skipped when the cutoff is at least this fraction of Nyquist.
_MAX_NYQUIST_FRACTION: Final = 0.95


# ----------------------------------------------------------------------------
# validation and shared helpers
# ----------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------
# 1. confidence gating
# ----------------------------------------------------------------------------


def gate_confidence(ds: xr.Dataset, threshold: float = 0.3) -> xr.Dataset:
    """Set positions to NaN where MediaPipe's visibility is below a threshold.

    Parameters
    ----------
    ds
        A poses dataset.
    threshold
        Minimum ``confidence`` (visibility, 0-1, dimensionless) to keep a
        point. Points with a NaN confidence are gated too.

    Returns
    -------
    xarray.Dataset
        A new dataset whose ``position`` (and ``world_position``, if present)
        is NaN at every (time, keypoint, individual) with
        ``confidence < threshold``; ``confidence`` itself is unchanged. The log
        records ``threshold`` and ``n_gated``, the number of points that had a
        position and lost it.

    Raises
    ------
    ValueError
        If ``ds`` is not a poses dataset or ``threshold`` is outside [0, 1].
    """
    validate_poses(ds)
    _check_range("threshold", threshold, 0.0, 1.0)
    keep = ds["confidence"] >= threshold
    had_point = ds["position"].notnull().any("space")
    n_gated = int((had_point & ~keep).sum())
    out = ds.assign({name: ds[name].where(keep) for name in _position_vars(ds)})
    return append_log(out, "gate_confidence", threshold=float(threshold), n_gated=n_gated)


# ----------------------------------------------------------------------------
# 2. outlier rejection (Hampel filter)
# ----------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------
# 3. gap filling
# ----------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------
# 4. low-pass filter
# ----------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------
# 5. the whole chain
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CleaningSettings:
    """Parameters of every cleaning step (see each function for the defaults' rationale).

    Parameters
    ----------
    confidence_threshold
        Minimum visibility (0-1) kept by :func:`gate_confidence`.
    outlier_window_s
        Hampel window length, seconds (:func:`reject_outliers`).
    outlier_n_sigmas
        Hampel threshold in scaled MADs (:func:`reject_outliers`).
    max_gap_s
        Longest gap interpolated, seconds (:func:`fill_gaps`).
    cutoff_hz
        -3 dB cutoff of the zero-lag low-pass filter, Hz (:func:`filter_lowpass`).
    filter_order
        Single-pass Butterworth order (:func:`filter_lowpass`).
    """

    confidence_threshold: float = 0.3
    outlier_window_s: float = 0.2
    outlier_n_sigmas: float = 3.0
    max_gap_s: float = 0.1
    cutoff_hz: float = 12.0
    filter_order: int = 4

    def __post_init__(self) -> None:
        _check_range("confidence_threshold", self.confidence_threshold, 0.0, 1.0)
        _check_positive("outlier_window_s", self.outlier_window_s)
        _check_positive("outlier_n_sigmas", self.outlier_n_sigmas)
        _check_range("max_gap_s", self.max_gap_s, 0.0, np.inf)
        _check_positive("cutoff_hz", self.cutoff_hz)
        _check_order(self.filter_order)

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as a JSON-serialisable dict."""
        return dataclasses.asdict(self)


#: The default settings of :func:`clean_poses`.
DEFAULT_SETTINGS: Final = CleaningSettings()


def clean_poses(
    ds: xr.Dataset,
    settings: CleaningSettings = DEFAULT_SETTINGS,
    repair: Callable[[xr.Dataset], xr.Dataset] | None = None,
) -> xr.Dataset:
    """Run every cleaning step: gate, repair, reject outliers, fill gaps, low-pass.

    The one cleaning sequence of runform: the gait engine runs it too, with
    its leg-swap repair and plausibility gate as ``repair``.

    Parameters
    ----------
    ds
        A poses dataset (pixel and, optionally, world positions).
    settings
        Parameters of the steps.
    repair
        Applied after the confidence gate and before outlier rejection
        (whole-body fixes that filtering would otherwise smear).

    Returns
    -------
    xarray.Dataset
        The cleaned dataset, with one log entry per step.
    """
    s = settings
    out = gate_confidence(ds, s.confidence_threshold)
    if repair is not None:
        out = repair(out)
    out = reject_outliers(out, s.outlier_window_s, s.outlier_n_sigmas)
    out = fill_gaps(out, s.max_gap_s)
    out = filter_lowpass(out, s.cutoff_hz, s.filter_order)
    return out
