"""Stance candidates of one foot: its ground level, the ground's velocity, low-and-still runs.

The first step of contact detection (:mod:`runform.gait.events`): where a
foot is low above its own ground line and moves with the ground, it may be
standing. Heights are in leg lengths, velocities in leg lengths per second,
times in seconds.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from runform.gait.events import EventSettings
from runform.processing.series import fill_nan_linear, find_runs

FloatArray = NDArray[np.float64]


#: A brief low-and-still run is a pinned swinging foot when a forward swing
#: faster than ``2 * stance_velocity`` follows it for at least this long (s).
PINNED_SWING_S = 0.03


def compute_ground_level(
    low_y: FloatArray, time_s: FloatArray, settings: EventSettings
) -> FloatArray:
    """Estimate the image row of the ground under one foot at every frame.

    Parameters
    ----------
    low_y
        Image row of the foot's lowest point (pixels, y down), NaN allowed.
    time_s
        Frame times, seconds.
    settings
        Uses ``ground_window_s`` and ``ground_quantile``.

    Returns
    -------
    numpy.ndarray
        Ground row per frame (pixels, y down); a rolling high quantile.
    """
    dt = float(np.median(np.diff(time_s))) if time_s.size > 1 else 1.0
    size = max(3, round(settings.ground_window_s / dt) | 1)
    filled = fill_nan_linear(low_y)
    if size >= filled.size:
        return np.full(filled.shape, np.nanpercentile(low_y, settings.ground_quantile))
    return np.asarray(
        ndimage.percentile_filter(filled, settings.ground_quantile, size=size, mode="nearest"),
        dtype=float,
    )


def merge_runs(
    runs: list[tuple[int, int]], time_s: FloatArray, max_gap_s: float
) -> list[tuple[int, int]]:
    """Join runs separated by gaps of at most ``max_gap_s`` seconds (jitter).

    Parameters
    ----------
    runs
        ``(start, stop)`` frame index pairs in order, ``stop`` exclusive.
    time_s
        Frame times, seconds.
    max_gap_s
        Longest gap (from the last frame of one run to the first of the
        next) that is closed, seconds.
    """
    merged: list[tuple[int, int]] = []
    for start, stop in runs:
        if merged and time_s[start] - time_s[merged[-1][1] - 1] <= max_gap_s + 1e-9:
            merged[-1] = (merged[-1][0], stop)
        else:
            merged.append((start, stop))
    return merged


def build_stance_candidates(
    mask: NDArray[np.bool_],
    time_s: FloatArray,
    relative_velocity: FloatArray,
    settings: EventSettings,
) -> list[tuple[int, int]]:
    """Turn the per-frame "low and still" mask into stance candidates.

    Three steps: runs split by one missing frame of jitter are joined; a run
    shorter than ``min_stance_s`` that does not trail a stance (start within
    50 ms of its end) is dropped when the foot swings forward fast
    (``2 * stance_velocity`` relative to the ground, for at least
    :data:`PINNED_SWING_S`) right after it: that is a swinging foot that
    MediaPipe briefly pinned onto the standing foot as the feet crossed; runs
    less than ``merge_gap_s`` apart are then joined into one stance.

    Parameters
    ----------
    mask
        Per frame: the foot is low and moves with the ground.
    time_s
        Frame times, seconds.
    relative_velocity
        Forward toe velocity relative to the ground, leg lengths/s.
    settings
        Detection parameters.

    Returns
    -------
    list of tuple
        ``(start, stop)`` frame indices of the candidates, ``stop`` exclusive.
    """
    step = float(np.median(np.diff(time_s))) if time_s.size > 1 else 0.0
    runs = merge_runs(find_runs(mask), time_s, 2.5 * step)
    kept: list[tuple[int, int]] = []
    for i, (a, b) in enumerate(runs):
        short = time_s[b - 1] - time_s[a] + step < settings.min_stance_s
        trailing = bool(kept) and time_s[a] - time_s[kept[-1][1] - 1] <= 0.05 + 1e-9
        following = relative_velocity[b : runs[i + 1][0] if i + 1 < len(runs) else None]
        swings = np.nan_to_num(following, nan=0.0) > 2 * settings.stance_velocity
        if short and not trailing and np.count_nonzero(swings) * step >= PINNED_SWING_S:
            continue
        kept.append((a, b))
    return merge_runs(kept, time_s, settings.merge_gap_s)


#: Fastest forward image velocity the ground can have under a planted foot,
#: leg lengths/s (jitter allowance around 0).
MAX_GROUND_VELOCITY = 0.5


def estimate_ground_velocity(
    height: FloatArray, velocity: FloatArray, settings: EventSettings
) -> float:
    """Estimate the image velocity of the ground under a foot.

    The toe velocity shared by most frames where the foot is low: about 0
    for a static camera, minus the belt speed on a treadmill. A planted
    foot moves with the ground at one steady velocity, while a low swing (a
    shuffling runner whose toes skim the ground) spreads over a wide range
    of faster ones, so the densest window of velocities, not their median,
    is the ground: a median is dragged toward the swing when the foot is
    low for much of it. The window is centred on a velocity no faster
    forward than :data:`MAX_GROUND_VELOCITY`: the ground never moves forward
    under the runner (static camera 0; a treadmill belt or a following
    camera, backwards), while a low swing reverses direction behind the body
    and lingers near zero image speed on a treadmill.

    Parameters
    ----------
    height
        Foot height above its ground, leg lengths.
    velocity
        Forward toe velocity, leg lengths/s (direction of travel positive).
    settings
        Uses ``stance_height``, and ``stance_velocity`` as the half-width of
        the window.

    Returns
    -------
    float
        Leg lengths per second, forward positive; 0 when the foot is never low.
    """
    low = np.nan_to_num(height, nan=np.inf) < settings.stance_height
    values = np.sort(velocity[low & np.isfinite(velocity)])
    if values.size == 0:
        return 0.0
    half = 0.5 * settings.stance_velocity
    counts = np.searchsorted(values, values + half, side="right") - np.searchsorted(
        values, values - half, side="left"
    )
    backward = values <= MAX_GROUND_VELOCITY
    if backward.any():
        counts = np.where(backward, counts, -1)
    centre = values[int(np.argmax(counts))]
    near = values[np.abs(values - centre) <= half]
    return float(np.median(near))
