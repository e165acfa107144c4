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

This module holds the confidence gate and the whole chain; the other steps
live in :mod:`runform.processing.outliers`, :mod:`runform.processing.gaps`
and :mod:`runform.processing.lowpass`, their shared helpers in
:mod:`runform.processing.columns`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import xarray as xr

from runform.io.poses import append_log, validate_poses
from runform.processing.columns import _check_order, _check_positive, _check_range, _position_vars
from runform.processing.gaps import fill_gaps
from runform.processing.lowpass import filter_lowpass
from runform.processing.outliers import reject_outliers

__all__ = [
    "DEFAULT_SETTINGS",
    "CleaningSettings",
    "clean_poses",
    "gate_confidence",
]

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
