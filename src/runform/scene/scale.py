"""Scale of the runner in the image: leg length in pixels, pixels per metre.

The leg length is the thigh plus the shank (hip joint to knee to ankle), the
unit every scale-free threshold in runform uses. In a side view both segments
lie in the image plane, so their sum is their true length. With a known body
height it converts to metres through Winter's proportions (Winter, D. A.,
*Biomechanics and Motor Control of Human Movement*, 4th ed., 2009, fig. 4.1):
thigh 0.245 H plus shank 0.246 H = 0.491 H.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import NDArray
from scipy import ndimage

from runform.processing.series import fill_nan_linear

FloatArray = NDArray[np.float64]

#: Thigh plus shank as a fraction of standing height (Winter 2009).
LEG_FRACTION_OF_HEIGHT = 0.491


@dataclass(frozen=True)
class Scale:
    """How image pixels relate to the runner's size.

    Attributes
    ----------
    leg_length_px
        Median thigh + shank length over the clip, pixels.
    px_per_m
        Pixels per metre at the runner, or ``None`` without a body height.
    method
        ``"height_cm"`` (from the given body height) or ``"leg_length"``
        (only leg-length units are available).
    body_height_cm
        The body height used, or ``None``.
    """

    leg_length_px: float
    px_per_m: float | None
    method: str
    body_height_cm: float | None

    def to_dict(self) -> dict[str, float | str | None]:
        """Return a JSON-ready dict."""
        return dict(self.__dict__)


def _segment_length(position: xr.DataArray, a: str, b: str) -> FloatArray:
    diff = position.sel(keypoint=a) - position.sel(keypoint=b)
    return np.asarray(np.hypot(diff.sel(space="x"), diff.sel(space="y")), dtype=float)


def compute_leg_length_px(position: xr.DataArray, window_s: float = 1.0) -> FloatArray:
    """Return the leg length (thigh + shank) per frame, pixels.

    Parameters
    ----------
    position
        Pixel positions with dims ``(time, space, keypoint)``.
    window_s
        A rolling median over this many seconds removes landmark jitter but
        follows a runner who approaches or leaves the camera.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_time,)``; NaN only when no leg was seen in the whole clip.
    """
    sides = []
    for side in ("left", "right"):
        thigh = _segment_length(position, f"{side}_hip", f"{side}_knee")
        shank = _segment_length(position, f"{side}_knee", f"{side}_ankle")
        sides.append(thigh + shank)
    per_frame = np.fmax(sides[0], sides[1])
    if not np.isfinite(per_frame).any():
        return np.full(per_frame.shape, np.nan)
    filled = fill_nan_linear(per_frame)
    time = np.asarray(position["time"], dtype=float)
    dt = float(np.median(np.diff(time))) if time.size > 1 else 1.0
    size = max(1, round(window_s / dt) | 1)
    return np.asarray(ndimage.median_filter(filled, size=size, mode="nearest"), dtype=float)


def median_finite(values: FloatArray) -> float:
    """Median of the finite values, NaN when there are none (no warning)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(np.median(finite)) if finite.size else float("nan")


def estimate_scale(leg_length_px: FloatArray, height_cm: float | None = None) -> Scale:
    """Summarise the scale of the runner.

    Parameters
    ----------
    leg_length_px
        Per-frame leg length, pixels (from :func:`compute_leg_length_px`).
    height_cm
        The runner's standing height, cm, when known.

    Returns
    -------
    Scale
        Pixels per metre only when ``height_cm`` is given.

    Raises
    ------
    ValueError
        If ``height_cm`` is outside 50-250 cm.
    """
    leg = median_finite(leg_length_px)
    if height_cm is None:
        return Scale(leg, None, "leg_length", None)
    if not 50.0 <= height_cm <= 250.0:
        raise ValueError(f"body height must be 50-250 cm, got {height_cm}")
    px_per_m = leg / (LEG_FRACTION_OF_HEIGHT * height_cm / 100.0)
    return Scale(leg, px_per_m, "height_cm", float(height_cm))
