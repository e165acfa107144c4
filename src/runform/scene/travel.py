"""Turns in the clip: split overground travel into one-direction segments.

A runner who crosses the frame, turns and comes back (common in uploads of
walking and drills) faces both ways in one clip; sagittal angles and the
direction of travel are only defined within one direction. The hips' image
velocity, low-passed to ignore the stride-to-stride bounce, is split into
runs of one sign; the analysis keeps the longest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import signal

from runform.processing.series import fill_nan_linear

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class TravelSegment:
    """Frames ``[start, stop)`` in which the hips travel one way.

    Attributes
    ----------
    start, stop
        Frame indices (``stop`` exclusive).
    sign
        +1 moving right on screen, -1 moving left.
    """

    start: int
    stop: int
    sign: int


def smooth_travel_velocity(
    time_s: FloatArray, hip_x: FloatArray, cutoff_hz: float = 0.5
) -> FloatArray:
    """Hip velocity across the image with the stride bounce removed, pixels/s.

    A zero-lag 2nd-order Butterworth at ``cutoff_hz`` (below any cadence)
    is applied to the hip position before differentiating. Frames before
    the first and after the last detection stay NaN.
    """
    finite = np.isfinite(hip_x)
    out = np.full(hip_x.shape, np.nan)
    if finite.sum() < 8 or time_s.size < 8:
        return out
    fs = 1.0 / float(np.median(np.diff(time_s)))
    filled = fill_nan_linear(hip_x)
    if cutoff_hz < 0.45 * fs:
        sos = signal.butter(2, cutoff_hz, fs=fs, output="sos")
        filled = signal.sosfiltfilt(sos, filled, padlen=min(3 * 7, filled.size - 1))
    velocity = np.gradient(filled, time_s)
    first, last = np.flatnonzero(finite)[[0, -1]]
    out[first : last + 1] = velocity[first : last + 1]
    return out


def remove_camera_pan(
    time_s: FloatArray,
    hip_x: FloatArray,
    pan_time_s: FloatArray,
    pan_velocity: FloatArray,
) -> FloatArray:
    """Hip x as a static camera would see it: the background's image motion added back.

    A camera panning with a runner moves the background across the image
    at ``-pan`` while the runner stays near the centre, and its overshoots
    make the hips drift back and forth in the image as if the runner turned.
    Subtracting the background's displacement gives the travel over the
    ground. Where the background was not measured its median velocity is
    assumed (the pan of a tracking shot is steady).

    Parameters
    ----------
    time_s
        Frame times, seconds.
    hip_x
        Image x of the hip centre, pixels.
    pan_time_s, pan_velocity
        Times (s) and horizontal image velocity of the background (px/s),
        e.g. from :func:`runform.scene.camera_motion.measure_camera_motion`.

    Returns
    -------
    numpy.ndarray
        Pixels; ``hip_x`` unchanged when the background was not measured.
    """
    ok = np.isfinite(pan_velocity) & np.isfinite(pan_time_s)
    if ok.sum() < 2:
        return hip_x
    order = np.argsort(pan_time_s[ok])
    t, v = pan_time_s[ok][order], pan_velocity[ok][order]
    median = float(np.median(v))
    velocity = np.interp(time_s, t, v, left=median, right=median)
    steps = np.diff(time_s, prepend=time_s[0])
    displacement = np.cumsum(velocity * steps)
    return np.asarray(hip_x - displacement, dtype=float)


def find_travel_segments(
    time_s: FloatArray,
    hip_x: FloatArray,
    leg_px: float,
    min_speed: float = 0.5,
    min_duration_s: float = 1.0,
) -> list[TravelSegment]:
    """Find the runs of at least ``min_duration_s`` with the hips moving one way.

    Parameters
    ----------
    time_s
        Frame times, seconds.
    hip_x
        Image x of the hip centre, pixels (NaN where not detected).
    leg_px
        Leg length, pixels: speeds are compared in leg lengths per second.
    min_speed
        Slower travel (leg lengths/s) counts as standing still (treadmill).
    min_duration_s
        Shorter runs are ignored.

    Returns
    -------
    list of TravelSegment
        In time order; empty when the hips never travel (treadmill, in place).
    """
    velocity = smooth_travel_velocity(time_s, hip_x) / leg_px
    signs = np.where(velocity > min_speed, 1, np.where(velocity < -min_speed, -1, 0))
    segments = []
    start = 0
    for i in range(1, signs.size + 1):
        if i == signs.size or signs[i] != signs[start]:
            if signs[start] != 0 and time_s[i - 1] - time_s[start] >= min_duration_s:
                segments.append(TravelSegment(start, i, int(signs[start])))
            start = i
    return segments


def choose_single_direction_span(
    segments: list[TravelSegment], facing: FloatArray | None = None
) -> tuple[int, int] | None:
    """Choose the frames ``(start, stop)`` to analyse when the runner turns, else ``None``.

    Only when segments of both directions exist. Segments in which the
    person faces the way they travel are preferred (someone may walk back
    to the start backwards); among those, the longest is kept (the slow
    frames of the turn itself are left out).

    Parameters
    ----------
    segments
        From :func:`find_travel_segments`.
    facing
        Per-frame facing in -1..1 (+1 facing right on screen), NaN unknown.
    """
    if len({s.sign for s in segments}) < 2:
        return None

    def agrees(segment: TravelSegment) -> bool:
        if facing is None:
            return True
        values = facing[segment.start : segment.stop]
        values = values[np.isfinite(values)]
        return bool(values.size) and np.sign(np.mean(values)) == segment.sign

    forward = [s for s in segments if agrees(s)] or segments
    best = max(forward, key=lambda s: s.stop - s.start)
    return best.start, best.stop
