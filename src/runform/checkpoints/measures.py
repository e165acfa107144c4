"""Per-stride Pose Method measures, from a gait analysis.

Every measure is a pure function of the cleaned poses, the strides and the
stride angles of a :class:`~runform.gait.result.GaitAnalysis`. Positions
are turned into the sagittal *body frame* first (``forward`` in the direction
of travel, ``up`` against gravity, pixels; see
:func:`runform.gait.kinematics.to_body_frame`), so a runner going left gives
the same values as one going right. Lengths are divided by the leg length
(hip to ankle, pixels) so they hold at any image size.

Each stride is one contact of its *support* leg: initial contact (IC) at
``start_s``, the Pose (mid-stance, the support ankle passing under the hip
centre) and toe-off (TO). The other leg is the *swing* leg.

Measures (per stride; NaN where that stride cannot give it):

==============================  =====================================================
name                            definition (sign)
==============================  =====================================================
``pose_alignment_pct_leg``      spread (max - min) of the forward positions of the
                                shoulder centre, hip centre and support ankle at the
                                Pose, % leg length (0 = in one vertical line)
``support_knee_flexion_deg``    support knee flexion at the Pose, degrees (0 straight)
``knee_flexion_at_contact_deg`` support knee flexion at IC, degrees
``foot_angle_at_contact_deg``   heel→toe line against horizontal at IC, toes up +
``landing_distance_leg``        contact point ahead of the centre of mass at IC, leg
                                lengths (+ ahead: reaching forward); the contact point
                                is the heel, the middle of the sole or the ball of the
                                foot, by the foot angle (:func:`contact_point_fraction`)
``shank_angle_at_contact_deg``  knee→ankle line from vertical at IC, ankle ahead +
``fall_angle_deg``              support toes → centre of mass line from vertical,
                                mean from heel-off to TO, forward +
``waist_bend_deg``              trunk flexion: trunk lean (hip → shoulder centre)
                                from vertical, mean from IC to TO, forward +
``contact_to_pose_ms``          IC to the Pose, ms (the framing concept's first count)
``pose_to_toe_off_ms``          the Pose to TO, ms (the second count)
``pull_behind_hip_pct_leg``     swing ankle behind the hip centre when the swing heel
                                is highest, % leg length (+ behind)
``pull_height_pct_leg``         that highest swing heel above the ground, % leg length
``elbow_flexion_deg``           mean elbow flexion of both arms over the stride
``arm_crossing_pct_shoulder``   front and rear views only: how far the wrists stay on
                                their own side of the body's midline, the least over
                                the stride, % of the shoulder width (negative: a wrist
                                crosses the midline)
==============================  =====================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.gait.kinematics import compute_segment_lean, to_body_frame
from runform.gait.result import GaitAnalysis
from runform.gait.stride_kinematics import StrideAngles
from runform.gait.strides import Stride

FloatArray = NDArray[np.float64]

#: Rise of the heel above its lowest stance level that marks heel-off, leg lengths.
HEEL_OFF_RISE = 0.02

#: Foot angles within this of 0 count as a flat (midfoot) landing, degrees.
FLAT_FOOT_DEG = 5.0
#: Position of the ball of the foot on the heel→toe-tip line (0 heel, 1 toes).
BALL_OF_FOOT = 0.7

#: Names of the per-stride measures, with their units.
MEASURE_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "pose_alignment_pct_leg": "% leg",
        "support_knee_flexion_deg": "deg",
        "knee_flexion_at_contact_deg": "deg",
        "foot_angle_at_contact_deg": "deg",
        "landing_distance_leg": "leg",
        "shank_angle_at_contact_deg": "deg",
        "fall_angle_deg": "deg",
        "waist_bend_deg": "deg",
        "contact_to_pose_ms": "ms",
        "pose_to_toe_off_ms": "ms",
        "pull_behind_hip_pct_leg": "% leg",
        "pull_height_pct_leg": "% leg",
        "elbow_flexion_deg": "deg",
        "arm_crossing_pct_shoulder": "% shoulder",
    }
)


@dataclass(frozen=True)
class StrideMeasures:
    """Per-stride measures of one clip.

    Attributes
    ----------
    values
        ``{measure: (n_strides,) values}``, NaN where not measurable; the
        names and units are those of :data:`MEASURE_UNITS`.
    weights
        ``(n_strides,)`` weight of each stride in averages (0 for strides
        whose leg labels were fixed by alternation; lower for the far leg).
    sides
        Support leg of each stride.
    starts_s
        Initial contact of each stride, seconds.
    """

    values: Mapping[str, FloatArray]
    weights: FloatArray
    sides: tuple[str, ...]
    starts_s: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        frozen = {}
        for name, array in self.values.items():
            copy = np.array(array, dtype=float)
            copy.setflags(write=False)
            frozen[name] = copy
        object.__setattr__(self, "values", MappingProxyType(frozen))
        weights = np.array(self.weights, dtype=float)
        weights.setflags(write=False)
        object.__setattr__(self, "weights", weights)


@dataclass(frozen=True)
class BodyFrame:
    """Body-frame series shared by the measures.

    Attributes
    ----------
    time
        Frame times, seconds.
    points
        ``{keypoint: (n, 2)}`` forward and up positions, pixels.
    com
        ``(n, 2)`` centre of mass, forward and up, pixels.
    trunk_lean
        Trunk lean per frame, degrees, forward positive.
    elbow
        Mean elbow flexion of both arms per frame, degrees.
    leg_px
        Leg length (hip to ankle), pixels.
    """

    time: FloatArray
    points: Mapping[str, FloatArray]
    com: FloatArray
    trunk_lean: FloatArray
    elbow: FloatArray
    leg_px: float


def _series(frame: BodyFrame, name: str) -> FloatArray:
    return frame.points[name]


def _centre(frame: BodyFrame, a: str, b: str) -> FloatArray:
    return np.asarray(0.5 * (frame.points[a] + frame.points[b]), dtype=float)


def sample_series(time: FloatArray, values: FloatArray, at_s: float) -> float:
    """Linearly interpolated value of a 1-D series at one time.

    Parameters
    ----------
    time
        Increasing sample times, seconds.
    values
        Values at those times (NaN where missing).
    at_s
        Query time, seconds.

    Returns
    -------
    float
        NaN when ``at_s`` is not finite, lies outside the finite samples, or
        a neighbouring sample is missing.
    """
    if not np.isfinite(at_s) or time.size == 0 or at_s < time[0] or at_s > time[-1]:
        return float("nan")
    k = int(np.searchsorted(time, at_s, side="right")) - 1
    k = min(max(k, 0), time.size - 2) if time.size > 1 else 0
    if time.size == 1:
        return float(values[0])
    t0, t1 = time[k], time[k + 1]
    frac = 0.0 if t1 == t0 else (at_s - t0) / (t1 - t0)
    return float(values[k] + frac * (values[k + 1] - values[k]))


def _window(time: FloatArray, start_s: float, stop_s: float) -> NDArray[np.bool_]:
    if not (np.isfinite(start_s) and np.isfinite(stop_s)):
        return np.zeros(time.shape, dtype=bool)
    return (time >= start_s) & (time <= stop_s)


def _ground_up(frame: BodyFrame) -> float:
    """Ground level in the body frame: a low quantile of both feet, pixels."""
    lows = [
        np.fmin(frame.points[f"{s}_heel"][:, 1], frame.points[f"{s}_foot_index"][:, 1])
        for s in ("left", "right")
    ]
    stacked = np.concatenate(lows)
    stacked = stacked[np.isfinite(stacked)]
    return float(np.percentile(stacked, 5)) if stacked.size else float("nan")


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def measure_pose_alignment(frame: BodyFrame, side: str, pose_s: float) -> float:
    """Spread of shoulder centre, hip centre and support ankle at the Pose, % leg."""
    shoulders = _centre(frame, "left_shoulder", "right_shoulder")[:, 0]
    hips = _centre(frame, "left_hip", "right_hip")[:, 0]
    ankle = _series(frame, f"{side}_ankle")[:, 0]
    xs = [sample_series(frame.time, s, pose_s) for s in (shoulders, hips, ankle)]
    return 100.0 * (max(xs) - min(xs)) / frame.leg_px


def measure_landing_distance(
    frame: BodyFrame, side: str, contact_s: float, foot_angle_deg: float
) -> float:
    """Contact point ahead of the centre of mass at initial contact, leg lengths."""
    heel = sample_series(frame.time, _series(frame, f"{side}_heel")[:, 0], contact_s)
    toes = sample_series(frame.time, _series(frame, f"{side}_foot_index")[:, 0], contact_s)
    foot = heel + contact_point_fraction(foot_angle_deg) * (toes - heel)
    com = sample_series(frame.time, frame.com[:, 0], contact_s)
    return (foot - com) / frame.leg_px


def contact_point_fraction(foot_angle_deg: float) -> float:
    """Where along the heel→toes line the foot first touches, 0 (heel) to 1 (toes).

    The heel when the toes point up by more than :data:`FLAT_FOOT_DEG`, the
    ball of the foot (:data:`BALL_OF_FOOT`) when they point down by more,
    the middle of the sole in between.
    """
    if foot_angle_deg > FLAT_FOOT_DEG:
        return 0.0
    if foot_angle_deg < -FLAT_FOOT_DEG:
        return BALL_OF_FOOT
    return 0.5


def find_heel_off(frame: BodyFrame, side: str, pose_s: float, toe_off_s: float) -> float:
    """First time after the Pose that the support heel rises off its stance level.

    The heel's lowest level from the Pose on is its stance level; heel-off is
    the first frame the heel is :data:`HEEL_OFF_RISE` leg lengths above it.
    Returns the Pose time when the heel never rises before toe-off (it was
    already off: a runner on the ball of the foot).
    """
    inside = _window(frame.time, pose_s, toe_off_s)
    heel = _series(frame, f"{side}_heel")[inside, 1]
    if heel.size == 0 or not np.isfinite(heel).any():
        return float("nan")
    early = heel[: max(1, heel.size // 2)]
    if not np.isfinite(early).any():
        return float("nan")
    rise = (heel - early[np.isfinite(early)].min()) / frame.leg_px
    above = np.flatnonzero(rise > HEEL_OFF_RISE)
    return float(frame.time[inside][above[0]]) if above.size else pose_s


def compute_fall_lean(frame: BodyFrame, side: str) -> FloatArray:
    """Per frame, the support toes → centre of mass line from vertical, degrees, forward +.

    The one definition of the fall angle: the scored ``fall_angle`` averages
    it over :func:`find_fall_window` and the annotated video draws it there.
    """
    return compute_segment_lean(_series(frame, f"{side}_foot_index"), frame.com)


def find_fall_window(
    frame: BodyFrame, side: str, pose_s: float, toe_off_s: float
) -> tuple[float, float]:
    """Find the fall of one stance: heel-off (or the Pose, heel already up) to toe-off, s."""
    return find_heel_off(frame, side, pose_s, toe_off_s), toe_off_s


def measure_fall_angle(frame: BodyFrame, side: str, pose_s: float, toe_off_s: float) -> float:
    """Mean fall angle (:func:`compute_fall_lean`) over the fall window, degrees."""
    inside = _window(frame.time, *find_fall_window(frame, side, pose_s, toe_off_s))
    if inside.sum() == 0:
        return float("nan")
    return _finite_mean(compute_fall_lean(frame, side)[inside])


def measure_waist_bend(frame: BodyFrame, contact_s: float, toe_off_s: float) -> float:
    """Forward flexion of the trunk over the stance, degrees from vertical, forward +.

    The mean trunk lean (hip centre → shoulder centre, the one definition in
    :func:`runform.gait.kinematics.compute_angles`) from initial contact to
    toe-off. This is the trunk flexion that running studies report (e.g.
    Teng & Powers 2015), and it is how a bend at the waist shows: a runner
    who leans from the ankles tips the whole body a few degrees, and only
    briefly (the fall ends at toe-off), while a bend at the hips keeps the
    trunk well forward all through the stance. A lean against the line of
    the support leg was tried first and rejected: the leg sweeps through
    ±25 deg in each stance, so the difference depends more on where the
    foot landed than on the waist (an overstrider read as 20 deg bent and a
    runner bent 19 deg at the hips as 2 deg).
    """
    inside = _window(frame.time, contact_s, toe_off_s)
    if inside.sum() == 0:
        return float("nan")
    return _finite_mean(frame.trunk_lean[inside])


def measure_pull(
    frame: BodyFrame, side: str, toe_off_s: float, next_contact_s: float
) -> tuple[float, float]:
    """Swing heel's peak height and the ankle's distance behind the hip then, % leg.

    Parameters
    ----------
    frame
        Body-frame series.
    side
        The leg that swings between ``toe_off_s`` and ``next_contact_s``.

    Returns
    -------
    tuple of float
        ``(behind_hip_pct_leg, height_pct_leg)``: NaN when the swing is not
        inside the clip.
    """
    inside = _window(frame.time, toe_off_s, next_contact_s)
    heel = _series(frame, f"{side}_heel")[inside, 1]
    if heel.size == 0 or not np.isfinite(heel).any():
        return float("nan"), float("nan")
    k = int(np.nanargmax(heel))
    height = 100.0 * (heel[k] - _ground_up(frame)) / frame.leg_px
    hips = _centre(frame, "left_hip", "right_hip")[inside][k, 0]
    ankle = _series(frame, f"{side}_ankle")[inside][k, 0]
    return 100.0 * (hips - ankle) / frame.leg_px, float(height)


def average_finite_rows(values: FloatArray) -> FloatArray:
    """Column means of the finite entries of a 2-D array; NaN where none is finite."""
    finite = np.isfinite(values)
    count = finite.sum(axis=0)
    total = np.where(finite, values, 0.0).sum(axis=0)
    return np.divide(total, count, out=np.full(count.shape, np.nan), where=count > 0)


def _finite_mean(values: FloatArray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")


def _mean_in(time: FloatArray, values: FloatArray, start_s: float, stop_s: float) -> float:
    inside = _window(time, start_s, stop_s)
    return _finite_mean(values[inside])


def build_body_frame(gait: GaitAnalysis) -> BodyFrame:
    """Body-frame series of a gait analysis that the measures read (see :class:`BodyFrame`)."""
    direction = -1 if gait.capture.direction.label == "left" else 1
    position = gait.poses["position"]
    if "individual" in position.dims:
        position = position.isel(individual=0)
    body = to_body_frame(position.transpose("time", "space", "keypoint"), direction)
    values = np.asarray(body.transpose("time", "keypoint", "space").values, dtype=float)
    names = [str(k) for k in body["keypoint"].values]
    points = {name: values[:, i, :] for i, name in enumerate(names)}
    com_px = gait.center_of_mass
    if "individual" in com_px.dims:
        com_px = com_px.isel(individual=0)
    com_xy = np.asarray(com_px.transpose("time", "space").values, dtype=float)
    com = np.column_stack([direction * com_xy[:, 0], -com_xy[:, 1]])
    time = np.asarray(gait.poses["time"].values, dtype=float)
    nan = np.full(time.shape, np.nan)
    angles: xr.Dataset | None = gait.angles
    trunk = nan if angles is None else np.asarray(angles["trunk_lean"].values, dtype=float)
    elbow = nan
    if angles is not None and "left_elbow_flexion" in angles:
        both = np.vstack([angles[f"{s}_elbow_flexion"].values for s in ("left", "right")])
        elbow = average_finite_rows(both)
    return BodyFrame(
        time, points, com, trunk, np.asarray(elbow, dtype=float), gait.capture.scale.leg_length_px
    )


def _measure_stride(frame: BodyFrame, stride: Stride, row: StrideAngles) -> dict[str, float]:
    side = stride.side
    ic, pose, to = (
        row.times_s.get(k, float("nan")) for k in ("initial_contact", "mid_stance", "toe_off")
    )
    at_ic = row.values_deg.get("initial_contact", {})
    at_pose = row.values_deg.get("mid_stance", {})
    foot_angle = at_ic.get("foot_angle", float("nan"))
    behind, height = measure_pull(frame, side, to, stride.end_s)
    return {
        "pose_alignment_pct_leg": measure_pose_alignment(frame, side, pose),
        "support_knee_flexion_deg": at_pose.get("knee_flexion", float("nan")),
        "knee_flexion_at_contact_deg": at_ic.get("knee_flexion", float("nan")),
        "foot_angle_at_contact_deg": foot_angle,
        "landing_distance_leg": measure_landing_distance(frame, side, ic, foot_angle)
        if np.isfinite(foot_angle)
        else float("nan"),
        "shank_angle_at_contact_deg": at_ic.get("shank_angle", float("nan")),
        "fall_angle_deg": measure_fall_angle(frame, side, pose, to),
        "waist_bend_deg": measure_waist_bend(frame, ic, to),
        "contact_to_pose_ms": 1000.0 * (pose - ic),
        "pose_to_toe_off_ms": 1000.0 * (to - pose),
        "pull_behind_hip_pct_leg": behind,
        "pull_height_pct_leg": height,
        "elbow_flexion_deg": _mean_in(frame.time, frame.elbow, stride.start_s, stride.end_s),
    }


def compute_own_side_offsets(position: xr.DataArray, view: str) -> FloatArray:
    """Each wrist's lateral distance from the shoulder centre toward its own side.

    Parameters
    ----------
    position
        Pixel positions, dims ``(time, space, keypoint)``.
    view
        ``"front"`` (the person faces the camera: their left is on the image's
        right) or ``"rear"``.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` for the left and right wrist, % of the shoulder width;
        negative when the wrist is across the midline.
    """
    x = {k: np.asarray(position.sel(keypoint=k, space="x"), dtype=float)
         for k in ("left_shoulder", "right_shoulder", "left_wrist", "right_wrist")}  # fmt: skip
    centre = 0.5 * (x["left_shoulder"] + x["right_shoulder"])
    width = np.abs(x["left_shoulder"] - x["right_shoulder"])
    width = np.where(width > 0, width, np.nan)
    facing = 1.0 if view == "front" else -1.0
    left = facing * (x["left_wrist"] - centre) / width
    right = -facing * (x["right_wrist"] - centre) / width
    return 100.0 * np.column_stack([left, right])


def _arm_crossing(gait: GaitAnalysis) -> FloatArray:
    position = gait.poses["position"]
    if "individual" in position.dims:
        position = position.isel(individual=0)
    offsets = compute_own_side_offsets(
        position.transpose("time", "space", "keypoint"), gait.capture.view.label
    )
    least = np.fmin(offsets[:, 0], offsets[:, 1])
    time = np.asarray(gait.poses["time"].values, dtype=float)
    out = np.full(len(gait.strides), np.nan)
    for i, stride in enumerate(gait.strides):
        inside = _window(time, stride.start_s, stride.end_s)
        chosen = least[inside]
        if np.isfinite(chosen).any():
            out[i] = float(chosen[np.isfinite(chosen)].min())
    return out


def compute_stride_measures(gait: GaitAnalysis) -> StrideMeasures:
    """Per-stride Pose Method measures of a side-view gait analysis.

    Parameters
    ----------
    gait
        The result of :func:`runform.gait.analyze.analyze_gait`. Outside a
        side view (no per-frame angles) every measure is NaN.

    Returns
    -------
    StrideMeasures
        One value per stride and measure (see the module docstring), with
        the strides' weights.
    """
    n = len(gait.strides)
    columns: dict[str, FloatArray] = {name: np.full(n, np.nan) for name in MEASURE_UNITS}
    weights = np.array([row.weight for row in gait.stride_angles], dtype=float)
    if gait.capture.view.label in ("front", "rear"):
        columns["arm_crossing_pct_shoulder"] = _arm_crossing(gait)
        weights = np.array([s.confidence for s in gait.strides], dtype=float)
    if gait.angles is None or len(gait.stride_angles) != n:
        return StrideMeasures(
            columns,
            np.ones(n) if weights.size != n else weights,
            tuple(s.side for s in gait.strides),
            tuple(s.start_s for s in gait.strides),
        )
    frame = build_body_frame(gait)
    for i, (stride, row) in enumerate(zip(gait.strides, gait.stride_angles, strict=True)):
        for name, value in _measure_stride(frame, stride, row).items():
            columns[name][i] = value
    return StrideMeasures(
        columns,
        weights,
        tuple(s.side for s in gait.strides),
        tuple(s.start_s for s in gait.strides),
    )
