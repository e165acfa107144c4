"""Per-frame signals of a drill clip, and the lifts and excursions found in them.

The feet's heights above the ground and whether each is off it, the hip
and shoulder centres (:func:`build_signals`), in the body frame divided by
the leg length; a foot's lifts, the excursions of any signal above its
resting level, and the changes of support foot. The repetitions and their
measures are in :mod:`runform.checkpoints.drill_measures`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks

from runform.checkpoints.measures import BodyFrame, build_body_frame
from runform.gait.kinematics import compute_foot_angle, compute_knee_flexion
from runform.gait.result import GaitAnalysis
from runform.processing.series import find_runs

FloatArray = NDArray[np.float64]


#: A foot is off the ground above this height, leg lengths.
OFF_HEIGHT = 0.04
#: A foot is lifted when it is this much higher than the other, leg lengths ...
LIFT_RISE = 0.07
#: ... until the difference drops below this (hysteresis), leg lengths.
LIFT_FALL = 0.03
#: Shortest lift or contact that counts, seconds.
MIN_RUN_S = 0.05


@dataclass(frozen=True)
class _Signals:
    frame: BodyFrame
    height: dict[str, FloatArray]  # foot height above ground, leg lengths
    off: dict[str, NDArray[np.bool_]]
    hip: FloatArray  # (n, 2)
    shoulder: FloatArray  # (n, 2)
    step_s: float


def _lowest(frame: BodyFrame, side: str) -> FloatArray:
    return np.fmin(frame.points[f"{side}_heel"][:, 1], frame.points[f"{side}_foot_index"][:, 1])


def build_signals(gait: GaitAnalysis) -> _Signals:
    """Per-frame foot heights, off-ground masks, hip and shoulder centres."""
    frame = build_body_frame(gait)
    lows = {s: _lowest(frame, s) for s in ("left", "right")}
    both = np.concatenate(list(lows.values()))
    both = both[np.isfinite(both)]
    ground = float(np.percentile(both, 5)) if both.size else float("nan")
    height = {s: (v - ground) / frame.leg_px for s, v in lows.items()}
    step = float(np.median(np.diff(frame.time))) if frame.time.size > 1 else 0.0
    off = {s: np.nan_to_num(h, nan=0.0) > OFF_HEIGHT for s, h in height.items()}
    hip = 0.5 * (frame.points["left_hip"] + frame.points["right_hip"])
    shoulder = 0.5 * (frame.points["left_shoulder"] + frame.points["right_shoulder"])
    return _Signals(frame, height, off, hip, shoulder, step)


def _runs(mask: NDArray[np.bool_], signals: _Signals, min_s: float) -> list[tuple[int, int]]:
    return [(a, b) for a, b in find_runs(mask) if (b - a) * signals.step_s >= min_s]


def _time(signals: _Signals, index: int) -> float:
    return float(signals.frame.time[min(index, signals.frame.time.size - 1)])


def _finite_mean(values: FloatArray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")


def _foot_angle(frame: BodyFrame, side: str) -> FloatArray:
    """Heel → toes line against horizontal, degrees, toes up positive (the kinematics' one)."""
    return compute_foot_angle(frame.points[f"{side}_heel"], frame.points[f"{side}_foot_index"])


def _knee_flexion(frame: BodyFrame, side: str) -> FloatArray:
    """Knee flexion, degrees, 0 straight (the kinematics' one)."""
    hip, knee, ankle = (frame.points[f"{side}_{p}"] for p in ("hip", "knee", "ankle"))
    return compute_knee_flexion(hip, knee, ankle)


def _other(side: str) -> str:
    return "left" if side == "right" else "right"


def merge_shallow_peaks(signal: FloatArray, peaks: NDArray[np.intp]) -> NDArray[np.intp]:
    """Merge neighbouring peaks not separated by a dip to half the lower one.

    A held foot wobbling near the top, or a heel rising in two stages, is one
    lift; the higher peak (the first of equals) is kept.
    """
    kept: list[int] = []
    for k in (int(p) for p in peaks):
        if kept:
            last = kept[-1]
            dip = float(np.min(signal[last : k + 1]))
            if dip > 0.5 * min(signal[last], signal[k]):
                if signal[k] > signal[last]:
                    kept[-1] = k
                continue
        kept.append(k)
    return np.asarray(kept, dtype=np.intp)


def find_excursions(
    signal: FloatArray, step_s: float, rise: float, fall: float
) -> list[tuple[int, int, int]]:
    """Excursions of a signal above its resting level: ``(start, peak, stop)`` frames.

    Each peak at least ``rise`` high and prominent
    (:func:`scipy.signal.find_peaks`, at least 0.1 s apart, shallow
    neighbours merged by :func:`merge_shallow_peaks`) is one excursion; it
    extends while the signal stays above ``fall``, never past the lowest
    point between it and a neighbouring one. Excursions shorter than
    :data:`MIN_RUN_S` are dropped. ``stop`` is exclusive.
    """
    values = np.nan_to_num(signal, nan=0.0)
    distance = max(1, round(0.1 / step_s)) if step_s > 0 else 1
    found, _ = find_peaks(values, height=rise, prominence=rise, distance=distance)
    peaks = merge_shallow_peaks(values, found)
    out: list[tuple[int, int, int]] = []
    for j, k in enumerate(peaks):
        low = int(peaks[j - 1] + np.argmin(values[peaks[j - 1] : k + 1])) if j > 0 else 0
        high = (
            int(k + np.argmin(values[k : peaks[j + 1] + 1])) if j + 1 < peaks.size else values.size
        )
        start, stop = int(k), int(k) + 1
        while start > low and values[start - 1] > fall:
            start -= 1
        while stop < high and values[stop] > fall:
            stop += 1
        if (stop - start) * step_s >= MIN_RUN_S:
            out.append((start, int(k), stop))
    return out


def find_lifts(
    height: dict[str, FloatArray], step_s: float, rise: float = LIFT_RISE, fall: float = LIFT_FALL
) -> list[tuple[str, int, int]]:
    """Lifts of a foot, in time order, from the higher foot's height.

    The signal is the height of whichever foot is higher, less its resting
    level (the median where no foot is up: the pose model often holds a
    resting foot a little high). Counting on the higher foot survives the
    pose model's two common failures in side view: swapping the left/right
    labels, and dragging the hidden far foot up with the near one as it
    lifts. Lifts are its excursions (:func:`find_excursions`); the side is
    the foot that is higher at the peak.

    Returns
    -------
    list of tuple
        ``(side, start, stop)`` frame indices (``stop`` exclusive).
    """
    left = np.nan_to_num(height["left"], nan=0.0)
    right = np.nan_to_num(height["right"], nan=0.0)
    top = np.maximum(left, right)
    resting = top < rise
    top = top - (float(np.median(top[resting])) if resting.any() else 0.0)
    return [
        ("left" if left[k] >= right[k] else "right", start, stop)
        for start, k, stop in find_excursions(top, step_s, rise, fall)
    ]


def _lifts(signals: _Signals) -> list[tuple[str, int, int]]:
    """Lifts of either foot in time order: ``(side, start, stop)``."""
    return find_lifts(signals.height, signals.step_s)


def _peak(signals: _Signals, side: str, a: int, b: int) -> int:
    segment = np.nan_to_num(signals.height[side][a:b], nan=-np.inf)
    return a + int(np.argmax(segment))


def find_support_changes(
    height: dict[str, FloatArray], rise: float = LIFT_RISE
) -> list[tuple[int, int, int]]:
    """Find changes of support: one foot up, then the other (from the feet's height difference).

    Returns
    -------
    list of tuple
        ``(before, after, sign)``: the last frame with the old foot up by more
        than ``rise`` leg lengths, the first frame with the new foot up by
        more than ``rise``, and ``+1`` when the new raised foot is the left.
        Only changes faster than
        :data:`~runform.checkpoints.drill_measures.MAX_SWITCH_S` count (a
        rest with both feet down between lifts is not a change of support).
    """
    diff = np.nan_to_num(height["left"] - height["right"], nan=0.0)
    state = np.where(diff > rise, 1, np.where(diff < -rise, -1, 0))
    out, last, last_index = [], 0, -1
    for i, value in enumerate(state):
        if value == 0:
            continue
        if last and value == -last:
            out.append((last_index, i, int(value)))
        last, last_index = int(value), i
    return out
