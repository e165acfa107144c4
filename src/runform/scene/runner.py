"""Which of the people in view is the runner: the documented rule, and the coach's override.

Every track (an ``individual`` of the poses dataset, see
:mod:`runform.pose.tracking`) is summarised by :func:`summarise_tracks`:

* **coverage**: the fraction of the clip's frames it is detected in;
* **size**: its median body height over the frame height;
* **stepping**: how much its legs move like running legs. The left-minus-
  right ankle offset (in leg lengths) swings once per stride; when its
  strongest rate (Lomb-Scargle periodogram, gaps allowed) is a running one
  (:data:`RUNNING_STRIDE_HZ`, 1.1-2.1 strides/s = 130-250 steps/min), the
  share of power around it, times its swing relative to a running swing,
  capped at 1. A person standing or walking scores 0: walking strides are
  0.7-1.0/s.

:func:`choose_runner` then applies the rule:

1. tracks that step like a runner (``stepping >= RUNNING_STEPPING``) beat
   every track that does not, so a standing bystander is never picked over a
   runner however large or long they are in view;
2. among those, the highest ``coverage * sqrt(size) * (0.25 + stepping)``.

The confidence is ``1 - second / best`` of that score (1 when the choice
is alone in its class, lower when two tracks are alike, e.g. two runners).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.scene.scale import compute_leg_length_px, median_finite

FloatArray = NDArray[np.float64]

#: Stride rates (strides/s) of running: 130-250 steps/min.
RUNNING_STRIDE_HZ = (1.1, 2.1)
#: Stepping score from which a track counts as running.
RUNNING_STEPPING = 0.25
#: Standard deviation of the ankle offset of a running stride, leg lengths
#: (thigh + shank, :func:`runform.scene.scale.compute_leg_length_px`; 0.35 of
#: the straight hip-to-ankle distance this was first set against).
_RUNNING_SWING = 0.33
#: Shortest detected span whose stepping is measured, seconds (about 1.5 strides).
_MIN_RHYTHM_S = 1.0


@dataclass(frozen=True)
class TrackSummary:
    """What is known about one tracked person.

    Attributes
    ----------
    id
        Track id (``--person ID``).
    individual
        Its name in the poses dataset.
    start_s, end_s
        First and last time detected, seconds.
    coverage
        Fraction of the clip's frames with a detection, 0-1.
    size
        Median body height over the frame height, 0-1.
    stepping
        0-1, how much the legs move like a runner's (see the module text);
        NaN when the track is too short to tell.
    stride_hz
        Strongest stride rate of the ankle offset, strides/s (NaN if unknown).
    score
        ``coverage * sqrt(size) * (0.25 + stepping)`` (NaN stepping counts 0).
    """

    id: int
    individual: str
    start_s: float
    end_s: float
    coverage: float
    size: float
    stepping: float
    stride_hz: float
    score: float

    @property
    def runs(self) -> bool:
        """Whether the legs move like a runner's."""
        return bool(self.stepping >= RUNNING_STEPPING)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, rounded, NaN as ``None``."""
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else
                round(v, 3) if isinstance(v, float) else v)
            for k, v in asdict(self).items()
        }  # fmt: skip


@dataclass(frozen=True)
class RunnerChoice:
    """The person analysed and how they were chosen.

    Attributes
    ----------
    individual
        Name in the poses dataset.
    id
        Track id.
    method
        ``"only person"``, ``"automatic"``, ``"--person"`` or ``"--person-at"``.
    confidence
        0-1 (1 for the coach's own choice and for a lone person).
    reason
        One sentence a coach can read.
    tracks
        Every track, in id order.
    """

    individual: str
    id: int
    method: str
    confidence: float
    reason: str
    tracks: tuple[TrackSummary, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``analysis.json``."""
        return {"individual": self.individual, "id": self.id, "method": self.method,
                "confidence": round(self.confidence, 3), "reason": self.reason,
                "tracks": [t.to_dict() for t in self.tracks]}  # fmt: skip


def track_id(individual: str) -> int:
    """Read the id in a track's name (``person_3`` -> 3; the single-person name -> 0)."""
    tail = individual.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def measure_stepping(
    ankles: FloatArray, leg_px: float, fps: float, times_s: FloatArray | None = None
) -> tuple[float, float]:
    """Score how much an ankle-offset series moves like running legs.

    The left-minus-right ankle offset along its larger swing (horizontal in
    a side view, vertical from behind) is analysed with a Lomb-Scargle
    periodogram (:func:`scipy.signal.lombscargle`), which takes the detected
    frames as they are, gaps included. The score is the share of the power
    within 0.2 strides/s of the strongest stride rate, when that rate is a
    running one (:data:`RUNNING_STRIDE_HZ`; 0 otherwise: walking strides are
    0.7-1.0/s), times the swing relative to a running swing, capped at 1.

    Parameters
    ----------
    ankles
        ``(time, 2, 2)``: left and right ankle (axis 1), x and y in px
        (axis 2); NaN where not detected.
    leg_px
        Leg length, px.
    fps
        Frames per second (frame times ``index / fps`` unless ``times_s``).
    times_s
        Frame times, seconds.

    Returns
    -------
    tuple of float
        ``(stepping, stride_hz)``: the 0-1 score and the strongest stride
        rate in 0.4-4 strides/s; NaN when fewer than one second of frames.
    """
    from scipy.signal import lombscargle

    offset = (ankles[:, 0] - ankles[:, 1]) / leg_px  # (time, 2)
    finite = np.isfinite(offset).all(axis=1)
    if finite.sum() < max(8, _MIN_RHYTHM_S * fps) or not leg_px > 0:
        return float("nan"), float("nan")
    times = np.arange(len(offset)) / fps if times_s is None else np.asarray(times_s, float)
    t, values = times[finite], offset[finite]
    axis = int(np.argmax(values.std(axis=0)))
    series = values[:, axis] - values[:, axis].mean()
    freqs = np.linspace(0.4, 4.0, 361)
    power = lombscargle(t, series, 2 * np.pi * freqs)
    if not power.sum() > 0:
        return 0.0, float("nan")
    peak = float(freqs[np.argmax(power)])
    running = RUNNING_STRIDE_HZ[0] <= peak <= RUNNING_STRIDE_HZ[1]
    share = float(power[np.abs(freqs - peak) <= 0.2].sum() / power.sum()) if running else 0.0
    swing = float(series.std()) / _RUNNING_SWING
    return share * min(1.0, swing), peak


def summarise_tracks(poses: xr.Dataset) -> list[TrackSummary]:
    """One :class:`TrackSummary` per ``individual`` of a poses dataset, in id order."""
    fps = float(poses.attrs.get("fps", 0)) or _fps_from_times(poses["time"].values)
    frame_height = float(poses.attrs.get("frame_height", 0)) or float("nan")
    times = np.asarray(poses["time"].values, dtype=float)
    out = []
    for name in (str(n) for n in poses["individual"].values):
        position = _positions(poses, name)
        detected = np.isfinite(position[:, :, 0]).any(axis=1)
        if not detected.any():
            continue
        span = times[detected]
        y = position[:, :, 1]
        with np.errstate(all="ignore"):
            heights = np.nanmax(y[detected], axis=1) - np.nanmin(y[detected], axis=1)
        size = float(np.median(heights)) / frame_height
        leg_px = median_finite(
            compute_leg_length_px(
                poses["position"].sel(individual=name).isel(time=detected), window_s=0.0
            )
        )
        ankles = position[:, [27, 28], :]
        stepping, stride = measure_stepping(ankles, leg_px, fps, times)
        coverage = float(detected.mean())
        score = coverage * math.sqrt(max(size, 0.0)) * (0.25 + np.nan_to_num(stepping))
        out.append(TrackSummary(track_id(name), name, float(span[0]), float(span[-1]), coverage,
                                size, stepping, stride, float(score)))  # fmt: skip
    return sorted(out, key=lambda t: t.id)


def _positions(poses: xr.Dataset, individual: str) -> FloatArray:
    """``(time, keypoint, space)`` pixel positions of one individual."""
    chosen = poses["position"].sel(individual=individual)
    return np.asarray(chosen.transpose("time", "keypoint", "space").values, dtype=float)


def _fps_from_times(times: FloatArray) -> float:
    steps = np.diff(np.asarray(times, dtype=float))
    return float(1.0 / np.median(steps)) if steps.size else 30.0


def choose_runner(tracks: list[TrackSummary]) -> RunnerChoice:
    """Apply the documented rule (see the module text) to the tracks of a clip.

    Raises
    ------
    ValueError
        If there are no tracks.
    """
    if not tracks:
        raise ValueError("no tracked person to choose from")
    if len(tracks) == 1:
        only = tracks[0]
        return RunnerChoice(only.individual, only.id, "only person", 1.0,
                            "only one person was seen", tuple(tracks))  # fmt: skip
    runners = [t for t in tracks if t.runs]
    pool = runners or tracks
    ranked = sorted(pool, key=lambda t: t.score, reverse=True)
    best = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else 0.0
    confidence = 1.0 - second / best.score if best.score > 0 else 0.0
    if runners:
        others = len(tracks) - len(runners)
        reason = (f"person {best.id} steps like a runner ({60 * 2 * best.stride_hz:.0f} steps/min) "
                  f"and is in view {100 * best.coverage:.0f}% of the clip")  # fmt: skip
        if len(runners) > 1:
            reason += f"; {len(runners) - 1} other runner(s) in view less or smaller"
        if others:
            reason += f"; {others} other person(s) do not run"
    else:
        reason = (f"nobody steps like a runner; person {best.id} is in view longest "
                  f"({100 * best.coverage:.0f}%) and largest")  # fmt: skip
        confidence = min(confidence, 0.5)
    return RunnerChoice(best.individual, best.id, "automatic", float(confidence), reason,
                        tuple(tracks))  # fmt: skip


def pick_person(tracks: list[TrackSummary], person: int) -> RunnerChoice:
    """Choose the person the coach names by track id (``--person``).

    Raises
    ------
    ValueError
        If no track has that id (the message lists the ids).
    """
    for track in tracks:
        if track.id == person:
            reason = f"chosen by the coach (--person {person})"
            return RunnerChoice(track.individual, track.id, "--person", 1.0, reason, tuple(tracks))
    ids = ", ".join(str(t.id) for t in tracks)
    raise ValueError(f"there is no person {person} in this clip; the people are: {ids}")


def pick_person_at(
    poses: xr.Dataset, tracks: list[TrackSummary], x: float, y: float
) -> RunnerChoice:
    """Choose the person at a point on the first frame where they appear (``--person-at``).

    Each track's box (its keypoints' extent, padded by 10 % of its height)
    on the first frame it is seen is compared with ``(x, y)`` (pixels of the
    source frame, x right, y down): the track whose box holds the point, or
    whose box is nearest, is chosen; ties go to the longer-seen track.

    Raises
    ------
    ValueError
        If there are no tracks.
    """
    if not tracks:
        raise ValueError("no tracked person to choose from")
    best: tuple[float, float, TrackSummary] | None = None
    for track in tracks:
        box = _first_box(poses, track.individual)
        distance = _distance_to_box(box, x, y)
        key = (distance, -track.coverage, track)
        if best is None or key[:2] < best[:2]:
            best = key
    assert best is not None
    chosen = best[2]
    reason = f"chosen by the coach (--person-at {x:g},{y:g}: person {chosen.id})"
    return RunnerChoice(chosen.individual, chosen.id, "--person-at", 1.0, reason, tuple(tracks))


def _first_box(poses: xr.Dataset, individual: str) -> tuple[float, float, float, float]:
    position = _positions(poses, individual)
    detected = np.flatnonzero(np.isfinite(position[:, :, 0]).any(axis=1))
    points = position[detected[0]]
    points = points[np.isfinite(points).all(axis=1)]
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    pad = 0.1 * (y1 - y0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _distance_to_box(box: tuple[float, float, float, float], x: float, y: float) -> float:
    x0, y0, x1, y1 = box
    dx = max(x0 - x, 0.0, x - x1)
    dy = max(y0 - y, 0.0, y - y1)
    return math.hypot(dx, dy)


def decide_runner(
    poses: xr.Dataset, person: int | None = None, person_at: tuple[float, float] | None = None
) -> RunnerChoice:
    """Who to analyse: the coach's choice (``--person`` or ``--person-at``) or the rule's.

    Raises
    ------
    ValueError
        If nobody was tracked, or ``person`` is not a track id.
    """
    tracks = summarise_tracks(poses)
    if not tracks:
        raise ValueError("nobody was detected in the clip")
    if person is not None:
        return pick_person(tracks, person)
    if person_at is not None:
        return pick_person_at(poses, tracks, *person_at)
    return choose_runner(tracks)
