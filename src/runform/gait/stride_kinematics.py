"""Angles at the events of each stride, and angle curves over the gait cycle.

For each stride of a foot (its leg is the *support* leg during the contact):

* ``initial_contact``: at the landing. The knee flexion there is the
  smallest flexion within ``LANDING_WINDOW_S`` around the detected landing:
  the knee is at its straightest at touch-down and bends fast right after it
  (up to 15° per frame at 60 fps in a heel strike), so sampling exactly at a
  landing timed one frame late would read a bent knee. The other angles are
  sampled at the landing itself;
* ``mid_stance``: when the support ankle passes under the hip centre (the
  Pose Method's "Pose"), or half-way through the contact when it never does;
* ``toe_off``: at take-off;
* ``max_knee_flexion_swing``: the largest knee flexion of that leg between
  toe-off and the next landing, with its time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.gait.kinematics import normalise_to_cycle, sample_at_times, summarise_cycles
from runform.gait.strides import Stride

FloatArray = NDArray[np.float64]

#: Angles reported per stride, for the support leg, without side prefix.
LEG_ANGLES = (
    "knee_flexion",
    "hip_flexion",
    "ankle_dorsiflexion",
    "thigh_angle",
    "shank_angle",
    "foot_angle",
)
#: Seconds before and after a detected landing searched for the straightest knee.
LANDING_WINDOW_S = (0.04, 0.02)
#: Seconds before (and after) a detected landing searched for the shank's and
#: foot's largest forward reach.
LANDING_APPROACH_S = (0.04, 0.0)


@dataclass(frozen=True)
class StrideAngles:
    """Angles of the support leg (and trunk) at the events of one stride.

    Attributes
    ----------
    side
        The support leg.
    times_s
        ``{event: time}`` for ``initial_contact``, ``mid_stance``, ``toe_off``
        and ``max_knee_flexion_swing``.
    values_deg
        ``{event: {angle: degrees}}``; angles are those of
        :data:`LEG_ANGLES` for the support leg plus ``trunk_lean``; the
        ``max_knee_flexion_swing`` event holds only ``knee_flexion``.
    weight
        Weight of this stride in averages (the foot's landmark confidence,
        lower for the far leg).
    stride_s
        Duration of the stride, seconds.
    """

    side: str
    times_s: Mapping[str, float]
    values_deg: Mapping[str, Mapping[str, float]]
    weight: float
    stride_s: float = float("nan")

    def __post_init__(self) -> None:
        object.__setattr__(self, "times_s", MappingProxyType(dict(self.times_s)))
        values = {k: MappingProxyType(dict(v)) for k, v in self.values_deg.items()}
        object.__setattr__(self, "values_deg", MappingProxyType(values))

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict (NaN becomes None)."""
        return {
            "side": self.side,
            "weight": round(self.weight, 3),
            "times_s": {k: _clean(v, 4) for k, v in self.times_s.items()},
            "values_deg": {
                event: {k: _clean(v, 2) for k, v in values.items()}
                for event, values in self.values_deg.items()
            },
        }


def _clean(value: float, digits: int) -> float | None:
    return round(float(value), digits) if np.isfinite(value) else None


def find_mid_stance(
    time_s: FloatArray, ankle_ahead: FloatArray, start_s: float, stop_s: float
) -> float:
    """Time the support ankle passes under the hip centre during a contact.

    Parameters
    ----------
    time_s
        Frame times, seconds.
    ankle_ahead
        Forward distance of the support ankle ahead of the hip centre (any
        unit): positive at landing, negative at take-off.
    start_s, stop_s
        Initial contact and toe-off, seconds.

    Returns
    -------
    float
        The interpolated zero crossing, or the contact's midpoint when the
        ankle never crosses.
    """
    inside = np.flatnonzero((time_s >= start_s) & (time_s <= stop_s))
    for a, b in itertools.pairwise(inside):
        if ankle_ahead[a] >= 0 > ankle_ahead[b]:
            frac = ankle_ahead[a] / (ankle_ahead[a] - ankle_ahead[b])
            return float(time_s[a] + frac * (time_s[b] - time_s[a]))
    return 0.5 * (start_s + stop_s)


def _swing_peak(
    time: FloatArray, series: dict[str, FloatArray], side: str, start: float, stop: float
) -> tuple[float, float]:
    """Time (s) and value (deg) of the most flexed knee between ``start`` and ``stop``."""
    inside = (time >= start) & (time <= stop)
    values = series[f"{side}_knee_flexion"][inside]
    if not np.isfinite(start) or values.size == 0 or not np.isfinite(values).any():
        return float("nan"), float("nan")
    k = int(np.nanargmax(values))
    return float(time[inside][k]), float(values[k])


def _landing_extreme(
    time: FloatArray,
    angle: FloatArray,
    landing_s: float,
    window: tuple[float, float],
    largest: bool,
) -> float:
    """Largest (or smallest) value of one angle within ``window`` of a landing, degrees.

    ``time`` (s) and ``angle`` (deg) are the per-frame series; ``window =
    (before, after)`` in seconds; the value interpolated at the landing
    itself always takes part. NaN when nothing is finite.
    """
    if not np.isfinite(landing_s):
        return float("nan")
    before, after = window
    inside = (time >= landing_s - before) & (time <= landing_s + after)
    values = angle[inside]
    at_landing = np.interp(landing_s, time, angle)
    values = np.append(values, at_landing)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan")
    return float(values.max() if largest else values.min())


def _landing_values(
    time: FloatArray, series: dict[str, FloatArray], side: str, landing_s: float
) -> dict[str, float]:
    """Knee (straightest), shank and foot (largest reach) at a landing, degrees."""
    return {
        "knee_flexion": _landing_extreme(
            time, series[f"{side}_knee_flexion"], landing_s, LANDING_WINDOW_S, largest=False
        ),
        "shank_angle": _landing_extreme(
            time, series[f"{side}_shank_angle"], landing_s, LANDING_APPROACH_S, largest=True
        ),
        "foot_angle": _landing_extreme(
            time, series[f"{side}_foot_angle"], landing_s, LANDING_APPROACH_S, largest=True
        ),
    }


def compute_stride_angles(
    angles: xr.Dataset,
    strides: list[Stride],
    ankle_ahead: dict[str, FloatArray],
    weights: dict[str, float],
) -> list[StrideAngles]:
    """Angles at the events of every stride.

    Parameters
    ----------
    angles
        Per-frame angles from :func:`runform.gait.kinematics.compute_angles`.
    strides
        The strides.
    ankle_ahead
        ``{side: forward distance of that ankle ahead of the hip centre}``
        per frame.
    weights
        ``{side: weight}`` of each leg in averages.
    """
    time = np.asarray(angles["time"], dtype=float)
    event_times = []
    for stride in strides:
        mid = find_mid_stance(time, ankle_ahead[stride.side], stride.start_s, stride.toe_off_s)
        if not np.isfinite(stride.toe_off_s):
            mid = float("nan")
        event_times.append(
            {"initial_contact": stride.start_s, "mid_stance": mid, "toe_off": stride.toe_off_s}
        )
    flat = np.array([t for times in event_times for t in times.values()], dtype=float)
    outside = float(time[0]) - 1e6 if time.size else -1e6  # sampled as NaN
    sampled = sample_at_times(angles, np.nan_to_num(flat, nan=outside)) if flat.size else angles
    columns = {name: np.asarray(sampled[name].values, dtype=float) for name in sampled.data_vars}
    # per-frame series as plain arrays: xarray indexing per stride costs more than the maths
    series = {str(k): np.asarray(v.values, dtype=float) for k, v in angles.data_vars.items()}
    rows = []
    for i, (stride, times) in enumerate(zip(strides, event_times, strict=True)):
        side = stride.side
        values = {}
        for j, event in enumerate(times):
            k = 3 * i + j
            names = {name: f"{side}_{name}" for name in LEG_ANGLES} | {"trunk_lean": "trunk_lean"}
            values[event] = {name: float(columns[key][k]) for name, key in names.items()}
        for name, value in _landing_values(time, series, side, stride.start_s).items():
            if np.isfinite(value):
                values["initial_contact"][name] = value
        peak_t, peak = _swing_peak(time, series, side, stride.toe_off_s, stride.end_s)
        times["max_knee_flexion_swing"] = peak_t
        values["max_knee_flexion_swing"] = {"knee_flexion": peak}
        weight = 0.0 if stride.relabelled else weights.get(side, 1.0) * stride.confidence
        rows.append(StrideAngles(side, times, values, weight, stride.end_s - stride.start_s))
    return rows


def compute_cycle_curves(
    angles: xr.Dataset, strides: list[Stride], n_points: int = 101
) -> dict[str, dict[str, tuple[FloatArray, FloatArray]]]:
    """Mean and SD of each leg's angles over its normalised gait cycle.

    The cycle of a leg runs from its initial contact (0 %) to its next one
    (100 %). Returns ``{side: {angle: (mean, sd)}}`` for the angles in
    :data:`LEG_ANGLES` and ``trunk_lean``; sides without strides are absent.
    """
    time = np.asarray(angles["time"], dtype=float)
    curves: dict[str, dict[str, tuple[FloatArray, FloatArray]]] = {}
    for side in ("left", "right"):
        own = {(s.start_s, s.end_s) for s in strides if s.side == side}
        if not own:
            continue
        bounds = np.array(sorted({t for pair in own for t in pair}))
        keep = [i for i in range(bounds.size - 1) if (bounds[i], bounds[i + 1]) in own]
        curves[side] = {}
        for angle in [*LEG_ANGLES, "trunk_lean"]:
            name = angle if angle == "trunk_lean" else f"{side}_{angle}"
            values = np.asarray(angles[name].values, dtype=float)
            cycles = normalise_to_cycle(values, time, bounds, n_points)[keep]
            curves[side][angle] = summarise_cycles(cycles)
    return curves


#: The four instants of a stride that key frames show, in order.
STRIDE_INSTANTS = ("initial_contact", "mid_stance", "toe_off", "max_knee_flexion_swing")
#: The angles that decide which stride is typical: (instant, angle).
_TYPICAL_BY = (("initial_contact", "knee_flexion"), ("initial_contact", "shank_angle"),
               ("mid_stance", "knee_flexion"), ("mid_stance", "trunk_lean"))  # fmt: skip


#: Strides weighted below this share of the best are not shown as the typical one.
STRONG_STRIDE_SHARE = 0.8


def choose_representative_stride(
    rows: Sequence[tuple[float, Mapping[str, float], Mapping[str, Mapping[str, float]]]],
) -> int | None:
    """Return the index of the most typical stride, or ``None`` when no stride counts.

    Among strides with weight > 0, preferring those with all of
    :data:`STRIDE_INSTANTS` timed, and among those the ones weighted at
    least :data:`STRONG_STRIDE_SHARE` of the best (the leg the camera sees
    well, not a far leg at half the confidence), the one whose angles at
    landing and at the Pose are closest to the medians over those strides
    (in units of their spread), so one mislabelled stride is not the one
    shown.

    Parameters
    ----------
    rows
        Per stride: its weight, its instants' times (s) and its angles
        (degrees) by instant, as in :class:`StrideAngles` or the
        ``stride_angles`` of ``analysis.json``.
    """
    counted = [i for i, row in enumerate(rows) if row[0] > 0]
    if not counted:
        return None
    complete = [
        i
        for i in counted
        if all(math.isfinite(rows[i][1].get(k, math.nan)) for k in STRIDE_INSTANTS)
    ]
    pick = complete or counted
    best = max(rows[i][0] for i in pick)
    pick = [i for i in pick if rows[i][0] >= STRONG_STRIDE_SHARE * best]  # the best-seen leg
    table = np.array([[rows[i][2].get(e, {}).get(a, math.nan) for e, a in _TYPICAL_BY]
                      for i in pick], dtype=float)  # fmt: skip
    table = table[:, np.isfinite(table).any(axis=0)]
    if table.size == 0:
        return pick[len(pick) // 2]
    median = np.nanmedian(table, axis=0)
    spread = np.nanmedian(np.abs(table - median), axis=0) + 1.0
    distance = np.nansum(np.abs(table - median) / spread, axis=1)
    return pick[int(np.argmin(distance))]
