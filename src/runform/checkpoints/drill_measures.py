"""Pose Method drills: find the repetitions and measure each one.

Pure functions of a gait analysis of an in-place drill clip (its cleaned
poses, direction and scale). Signals are in the body frame (forward the way
the performer faces, up against gravity) divided by the leg length, so they
hold at any image size and either facing. The signals and the lifts and
excursions found in them are in :mod:`runform.checkpoints.drill_signals`.

Repetitions, by drill:

* ``pose_stance``: a hold on one leg, the other foot off the ground for at
  least :data:`MIN_HOLD_S`;
* ``pony``, ``hamstring_pull``: each lift of a foot;
* ``change_of_support``: each change of the support foot (one foot lands
  while the other is pulled up);
* ``foot_tap``: each touch of the tapping foot (the foot with the most
  short contacts);
* ``wall_fall``, ``timber_fall``: each excursion of the body's lean from
  the ankles, at least :data:`MIN_FALL_DEG` above the standing lean;
* ``front_lean``: each hop (both feet off the ground).

Per-repetition measures (units in :data:`DRILL_MEASURE_UNITS`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from runform.checkpoints.drill_signals import (
    MIN_RUN_S,
    _finite_mean,
    _foot_angle,
    _knee_flexion,
    _lifts,
    _other,
    _peak,
    _runs,
    _Signals,
    _time,
    build_signals,
    find_excursions,
    find_support_changes,
)
from runform.checkpoints.measures import BodyFrame, average_finite_rows
from runform.gait.kinematics import compute_segment_lean
from runform.gait.result import GaitAnalysis
from runform.processing.series import fill_nan_linear

FloatArray = NDArray[np.float64]

#: Shortest hold on one leg in the Pose stance, seconds.
MIN_HOLD_S = 0.8
#: Smallest lean above standing that counts as a fall, degrees.
MIN_FALL_DEG = 4.0
#: Longest touch of the tapping foot between two lifts, seconds.
MAX_TOUCH_S = 0.5
#: Longest gap between one foot landing and the other lifting in a change of support, s.
MAX_SWITCH_S = 0.35

DRILL_MEASURE_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "hold_s": "s",
        "sway_pct_leg": "% leg",
        "stance_alignment_pct_leg": "% leg",
        "stance_foot_angle_deg": "deg",
        "stance_knee_deg": "deg",
        "interval_dev_pct": "%",
        "lift_rate_per_min": "/min",
        "contact_ms": "ms",
        "bounce_pct_leg": "% leg",
        "pull_height_pct_leg": "% leg",
        "pull_behind_hip_pct_leg": "% leg",
        "switch_ms": "ms",
        "tap_ahead_pct_leg": "% leg",
        "pull_drift_pct_leg": "% leg",
        "thigh_back_deg": "deg",
        "fall_lean_deg": "deg",
        "fall_waist_bend_deg": "deg",
        "hop_lean_deg": "deg",
        "hop_height_pct_leg": "% leg",
    }
)


@dataclass(frozen=True)
class DrillRep:
    """One repetition: when, which leg, and its measures."""

    index: int
    start_s: float
    end_s: float
    side: str | None
    values: Mapping[str, float]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))


def measure_pose_stance(signals: _Signals) -> list[DrillRep]:
    """Measure each hold on one leg: time, sway, alignment, ball of foot, knee bend."""
    frame, leg = signals.frame, signals.frame.leg_px
    reps: list[DrillRep] = []
    for side, a, b in _lifts(signals):
        if (b - a) * signals.step_s < MIN_HOLD_S:
            continue
        support = _other(side)
        core = slice(a + (b - a) // 10, b - (b - a) // 10)
        xs = np.vstack([signals.shoulder[core, 0], signals.hip[core, 0],
                        frame.points[f"{support}_ankle"][core, 0]])  # fmt: skip
        spread = (np.nanmax(xs, axis=0) - np.nanmin(xs, axis=0)) / leg
        values = {
            "hold_s": (b - a) * signals.step_s,
            "sway_pct_leg": 100.0 * float(np.nanstd(signals.hip[core, 0])) / leg,
            "stance_alignment_pct_leg": 100.0 * _finite_mean(spread),
            "stance_foot_angle_deg": _finite_mean(_foot_angle(frame, support)[core]),
            "stance_knee_deg": _finite_mean(_knee_flexion(frame, support)[core]),
        }
        reps.append(DrillRep(len(reps), _time(signals, a), _time(signals, b), side, values))
    return reps


def _contact_before(signals: _Signals, side: str, start: int) -> float:
    """Ground time of ``side`` just before its lift at ``start``, ms."""
    down = ~signals.off[side][:start]
    if down.size == 0 or not down[-1]:
        return float("nan")
    ups = np.flatnonzero(~down)
    first = int(ups[-1]) + 1 if ups.size else 0
    if first == 0:
        return float("nan")  # the clip starts with this foot down: contact cut
    return 1000.0 * (start - first) * signals.step_s


def measure_lifts(signals: _Signals) -> list[DrillRep]:
    """Each lift of a foot: rhythm, contact before it, pull height and position, bounce."""
    frame, leg = signals.frame, signals.frame.leg_px
    lifts = _lifts(signals)
    starts = np.array([_time(signals, a) for _, a, _ in lifts])
    intervals = np.diff(starts) if starts.size > 1 else np.array([])
    median = float(np.median(intervals)) if intervals.size else float("nan")
    reps: list[DrillRep] = []
    for i, (side, a, b) in enumerate(lifts):
        k = _peak(signals, side, a, b)
        interval = intervals[i] if i < intervals.size else float("nan")
        support = _other(side)
        window = slice(max(a - 5, 0), min(b + 5, frame.time.size))
        hip_up = signals.hip[window, 1]
        # knee -> hip line from vertical: positive when the knee is behind the hip
        thigh = compute_segment_lean(
            frame.points[f"{side}_knee"][k], frame.points[f"{side}_hip"][k]
        )
        values = {
            "interval_dev_pct": 100.0 * abs(interval - median) / median,
            "lift_rate_per_min": 60.0 / median if median > 0 else float("nan"),
            "contact_ms": _contact_before(signals, side, a),
            "stance_foot_angle_deg": _finite_mean(_foot_angle(frame, support)[a:b]),
            "bounce_pct_leg": 100.0 * float(np.nanmax(hip_up) - np.nanmin(hip_up)) / leg,
            "pull_height_pct_leg": 100.0 * float(signals.height[side][k]),
            "pull_behind_hip_pct_leg": 100.0
            * float(signals.hip[k, 0] - frame.points[f"{side}_ankle"][k, 0])
            / leg,
            "thigh_back_deg": float(thigh),
        }
        reps.append(DrillRep(i, _time(signals, a), _time(signals, b), side, values))
    return reps


def measure_changes_of_support(signals: _Signals) -> list[DrillRep]:
    """Each change of support: switch time and the new pull's position and height."""
    frame, leg = signals.frame, signals.frame.leg_px
    changes = [
        c for c in find_support_changes(signals.height)
        if (c[1] - c[0]) * signals.step_s <= MAX_SWITCH_S
    ]  # fmt: skip
    diff = np.nan_to_num(signals.height["left"] - signals.height["right"], nan=0.0)
    reps: list[DrillRep] = []
    for j, (before, after, sign) in enumerate(changes):
        side = "left" if sign > 0 else "right"
        end = changes[j + 1][0] if j + 1 < len(changes) else diff.size
        k = after + int(np.argmax(sign * diff[after : max(end, after + 1)]))
        values = {
            "switch_ms": 1000.0 * (after - before) * signals.step_s,
            "pull_behind_hip_pct_leg": 100.0
            * float(signals.hip[k, 0] - frame.points[f"{side}_ankle"][k, 0])
            / leg,
            "pull_height_pct_leg": 100.0 * float(signals.height[side][k]),
        }
        reps.append(
            DrillRep(len(reps), _time(signals, before), _time(signals, after), side, values)
        )
    return reps


def measure_foot_taps(signals: _Signals) -> list[DrillRep]:
    """Each touch of the tapping foot: where it lands, and how straight it is pulled up.

    The tapping foot is the one lifted most often; a touch is the short
    time it is down between two of its lifts (at most :data:`MAX_TOUCH_S`).
    """
    frame, leg = signals.frame, signals.frame.leg_px
    lifts = _lifts(signals)
    if not lifts:
        return []
    counts = {s: sum(1 for side, _, _ in lifts if side == s) for s in ("left", "right")}
    side = max(counts, key=lambda s: counts[s])
    own = [(a, b) for s, a, b in lifts if s == side]
    ankle = frame.points[f"{side}_ankle"]
    reps: list[DrillRep] = []
    for (_, down), (up, after_stop) in itertools.pairwise(own):
        if (up - down) * signals.step_s > MAX_TOUCH_S:
            continue
        mid = (down + up) // 2
        k = _peak(signals, side, up, after_stop)
        values = {
            "tap_ahead_pct_leg": 100.0 * float(ankle[mid, 0] - signals.hip[mid, 0]) / leg,
            "pull_drift_pct_leg": 100.0 * abs(float(ankle[k, 0] - ankle[mid, 0])) / leg,
        }
        reps.append(DrillRep(len(reps), _time(signals, down), _time(signals, up), side, values))
    return reps


def _ankle_centre(frame: BodyFrame) -> FloatArray:
    """Midpoint of the ankles, or the one ankle seen when the other is missing."""
    both = np.stack([frame.points["left_ankle"], frame.points["right_ankle"]])
    return np.stack([average_finite_rows(both[..., axis]) for axis in (0, 1)], axis=-1)


def measure_falls(signals: _Signals) -> list[DrillRep]:
    """Each fall from the ankles: peak lean and the waist bend at the peak."""
    frame = signals.frame
    leg_line = fill_nan_linear(compute_segment_lean(_ankle_centre(frame), signals.hip))
    standing = float(np.nanpercentile(leg_line, 10)) if np.isfinite(leg_line).any() else 0.0
    rise = leg_line - standing
    reps: list[DrillRep] = []
    for a, k, b in find_excursions(rise, signals.step_s, MIN_FALL_DEG, 0.5 * MIN_FALL_DEG):
        trunk = frame.trunk_lean[k]
        if not np.isfinite(trunk):
            trunk = float(compute_segment_lean(signals.hip[k], signals.shoulder[k]))
        values = {
            "fall_lean_deg": float(leg_line[k]),
            "fall_waist_bend_deg": float(trunk - leg_line[k]),
        }
        reps.append(DrillRep(len(reps), _time(signals, a), _time(signals, b), None, values))
    return reps


def measure_hops(signals: _Signals) -> list[DrillRep]:
    """Each two-footed hop: the lean from the ankles and the hop height."""
    frame, leg = signals.frame, signals.frame.leg_px
    body_line = fill_nan_linear(compute_segment_lean(_ankle_centre(frame), signals.shoulder))
    both = signals.off["left"] & signals.off["right"]
    reps: list[DrillRep] = []
    for a, b in _runs(both, signals, MIN_RUN_S):
        before = max(a - int(0.2 / max(signals.step_s, 1e-9)), 0)
        rise = float(np.nanmax(signals.hip[a:b, 1]) - np.nanmedian(signals.hip[before : a + 1, 1]))
        values = {
            "hop_lean_deg": _finite_mean(body_line[before : a + 1]),
            "hop_height_pct_leg": 100.0 * rise / leg,
        }
        reps.append(DrillRep(len(reps), _time(signals, a), _time(signals, b), None, values))
    return reps


def find_drill_reps(gait: GaitAnalysis, drill: str) -> list[DrillRep]:
    """Repetitions of ``drill`` in a clip, each with its measures.

    Parameters
    ----------
    gait
        Gait analysis of the clip (side view).
    drill
        A drill name (see the module docstring).

    Raises
    ------
    ValueError
        For an unknown drill name.
    """
    signals = build_signals(gait)
    finders = {
        "pose_stance": measure_pose_stance,
        "pony": measure_lifts,
        "hamstring_pull": measure_lifts,
        "change_of_support": measure_changes_of_support,
        "foot_tap": measure_foot_taps,
        "wall_fall": measure_falls,
        "timber_fall": measure_falls,
        "front_lean": measure_hops,
    }
    if drill not in finders:
        raise ValueError(f"unknown drill {drill!r}; choose one of {sorted(finders)}")
    return finders[drill](signals)


@dataclass(frozen=True)
class DrillGuess:
    """What an in-place clip looks like.

    Attributes
    ----------
    found
        At least two repetitions of some drill movement were found.
    drill
        The drill it looks like, or ``None`` when the pattern does not say.
    evidence
        What was counted, in words.
    """

    found: bool
    drill: str | None
    evidence: str


def guess_drill(gait: GaitAnalysis) -> DrillGuess:
    """Guess which in-place drill a clip shows, from its repetitions.

    Holds of 0.8 s or more on one leg read as ``pose_stance``; two-footed
    hops that lift the hips at least 2 % of a leg as ``front_lean``; falls
    from the ankles without foot lifts as ``wall_fall``; lifts alternating
    between the feet as ``pony``. Lifts of mostly one foot (a hamstring pull
    or foot taps) are found but not named.
    """
    signals = build_signals(gait)
    lifts = _lifts(signals)
    holds = [x for x in lifts if (x[2] - x[1]) * signals.step_s >= MIN_HOLD_S]
    hops = [h for h in measure_hops(signals) if h.values["hop_height_pct_leg"] >= 2.0]
    falls = measure_falls(signals)
    if len(holds) >= 2:
        return DrillGuess(True, "pose_stance", f"{len(holds)} holds on one leg")
    if len(hops) >= 2:
        return DrillGuess(True, "front_lean", f"{len(hops)} two-footed hops")
    if len(falls) >= 2 and len(lifts) < 2:
        return DrillGuess(True, "wall_fall", f"{len(falls)} falls from the ankles")
    if len(lifts) >= 2:
        sides = [x[0] for x in lifts]
        changes = sum(a != b for a, b in itertools.pairwise(sides))
        if changes >= 0.6 * (len(sides) - 1):
            return DrillGuess(True, "pony", f"{len(lifts)} lifts alternating between the feet")
        return DrillGuess(True, None, f"{len(lifts)} lifts of mostly one foot")
    evidence = f"{len(lifts)} foot lifts, {len(hops)} hops, {len(falls)} falls"
    return DrillGuess(False, None, evidence)
