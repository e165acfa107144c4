"""Whole-body kinematics of the synthetic runner and its exact ground truth.

Pure functions, no pixels drawn: for any time ``t`` (seconds) they give the
2D positions of all 33 BlazePose keypoints, first in the world (metres,
``x`` along the direction of travel, ``y`` up, ground at ``y = 0``) and then
in image pixels through an orthographic side-view camera: static, or for a
tracking shot panning to follow the runner.

The legs and pelvis come from :mod:`runform.synth.gait`; this module adds the
trunk (constant lean), the head and face in profile, arm swing opposite to
the legs with a small counter-rotation of the shoulders, and the camera.

In a pure side view the left and right members of the face, shoulder and hip
pairs project onto nearly the same point; the camera sees the runner's right
side when the runner faces right on screen (their left side is away from the
camera) and the left side otherwise.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray

from runform.skeleton import KEYPOINT_INDEX, KEYPOINT_NAMES
from runform.synth.body import SEGMENT_MASS_FRACTIONS, BodyDimensions
from runform.synth.camera import Camera, project_to_pixels
from runform.synth.gait import compute_leg_pose, plan_gait
from runform.synth.gait_plan import GaitPlan, LegPose
from runform.synth.geometry import compute_down_unit, compute_knee_flexion, rotate
from runform.synth.optics import build_warp
from runform.synth.params import RunnerParams
from runform.synth.stance_motion import compute_pelvis_height, compute_stance_foot
from runform.synth.truth import ContactTruth, SyntheticTruth

__all__ = [
    "compute_body_keypoints",
    "compute_frame_times",
    "compute_truth",
    "compute_world_keypoints",
    "plan_camera",
]

FloatArray = NDArray[np.float64]

#: Mean upper-arm angle relative to the trunk, radians (negative: behind).
_ARM_MEAN = math.radians(-12.0)
#: Peak-to-peak elbow flexion change over a stride, radians.
_ELBOW_SWING = math.radians(16.0)
#: Shoulder counter-rotation amplitude about the trunk axis, radians.
_SHOULDER_ROTATION = math.radians(8.0)
#: The arm is furthest forward this fraction of a stride before the opposite
#: foot's initial contact.
_ARM_LEAD = 0.05
#: Wrist flexion (hand relative to forearm), radians.
_WRIST_FLEXION = math.radians(12.0)
#: Neck tilt and head pitch as fractions of the trunk lean.
_NECK_TILT = 0.6
_HEAD_PITCH = 0.25
#: Extra space around the keypoints taken by the drawn body, in body heights.
_DRAW_PAD = 0.10
#: Fewest strides an overground crossing must show before the frame shrinks
#: the runner.
_MIN_CROSSING_STRIDES = 2.0
#: Default treadmill and tracking-shot clip length, seconds.
_TREADMILL_DURATION_S = 5.0
#: Tracking shot: range of the pan error's frequency, hertz, and of its
#: amplitude as a fraction of ``params.pan_jitter_frac``.
_JITTER_HZ = (0.2, 0.4)
_JITTER_AMPLITUDE = (0.5, 1.0)


def compute_frame_times(fps: Fraction, duration_s: float) -> FloatArray:
    """Presentation times ``i / fps`` of the frames of a clip, seconds.

    Parameters
    ----------
    fps
        Exact frame rate, frames per second.
    duration_s
        Clip length; frames are taken while ``i / fps < duration_s``.

    Returns
    -------
    numpy.ndarray
        Shape ``(N,)`` with ``N = ceil(duration_s * fps)`` (at least 1).
    """
    n = max(1, math.ceil(Fraction(duration_s) * fps - Fraction(1, 10**9)))
    # i * den is exact in float64, so each time is the correctly rounded i / fps.
    return np.arange(n, dtype=np.float64) * fps.denominator / fps.numerator


def _leg_keypoints(leg: LegPose) -> dict[str, FloatArray]:
    """Leg keypoints by unprefixed name."""
    return {
        "hip": leg.hip,
        "knee": leg.knee,
        "ankle": leg.ankle,
        "heel": leg.heel,
        "foot_index": leg.foot_index,
    }


def _arm_phase(t: FloatArray, plan: GaitPlan, side: str) -> FloatArray:
    """Arm-swing phase, radians: 0 when this arm is furthest forward.

    The arm swings with the opposite leg: it is furthest forward just
    before the opposite foot's contact.
    """
    timing = plan.timing
    opposite_contact = plan.first_contact_s + (timing.step_s if side == "right" else 0)
    lead = _ARM_LEAD * timing.stride_s
    return 2.0 * np.pi * (t - opposite_contact + lead) / timing.stride_s


def _arm_keypoints(
    t: FloatArray,
    shoulder_mid: FloatArray,
    plan: GaitPlan,
    params: RunnerParams,
    side: str,
) -> dict[str, FloatArray]:
    """Shoulder, elbow, wrist and hand keypoints of one arm."""
    body, lean = plan.body, plan.trunk_lean_rad
    phase = np.cos(_arm_phase(t, plan, side))
    across = np.array([math.cos(lean), -math.sin(lean)])
    shift = body.shoulder_half_width_m * np.sin(_SHOULDER_ROTATION * phase)
    shoulder = shoulder_mid + shift[:, None] * across
    upper = -lean + _ARM_MEAN + 0.5 * math.radians(params.arm_swing_deg) * phase
    fore = upper + math.radians(params.elbow_flexion_deg) + 0.5 * _ELBOW_SWING * phase
    elbow = shoulder + body.upper_arm_m * compute_down_unit(upper)
    wrist = elbow + body.forearm_m * compute_down_unit(fore)
    hand = compute_down_unit(fore + _WRIST_FLEXION)
    thumb_side = rotate(hand, math.pi / 2)
    length = body.hand_m
    return {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": wrist,
        "index": wrist + length * (0.45 * hand + 0.08 * thumb_side),
        "pinky": wrist + length * (0.40 * hand - 0.10 * thumb_side),
        "thumb": wrist + length * (0.30 * hand + 0.22 * thumb_side),
    }


def _head_keypoints(
    shoulder_mid: FloatArray, body: BodyDimensions, lean: float
) -> dict[str, FloatArray]:
    """Face keypoints (both sides coincide in profile) and the head centre."""
    neck = compute_down_unit(math.pi - _NECK_TILT * lean)
    centre = shoulder_mid + body.neck_m * neck
    pitch = -_HEAD_PITCH * lean
    points = {"head_centre": centre}
    for name, offset in body.face_offsets_m().items():
        points[name] = centre + rotate(np.array(offset), pitch)
    return points


def compute_body_keypoints(t: ArrayLike, plan: GaitPlan, params: RunnerParams) -> FloatArray:
    """All 33 keypoints in the body frame (pelvis centre at ``x = 0``).

    Parameters
    ----------
    t
        Clip times in seconds, shape ``(N,)``.
    plan
        Gait plan from :func:`runform.synth.gait.plan_gait`.
    params
        The parameters the plan was built from.

    Returns
    -------
    numpy.ndarray
        Shape ``(N, 33, 2)``, metres, in MediaPipe keypoint order.
    """
    times = np.atleast_1d(np.asarray(t, dtype=float))
    out = np.empty((times.size, len(KEYPOINT_NAMES), 2))
    legs = {
        "right": compute_leg_pose(times - plan.first_contact_s, plan),
        "left": compute_leg_pose(times - plan.first_contact_s - plan.timing.step_s, plan),
    }
    lean = plan.trunk_lean_rad
    pelvis = legs["right"].hip
    shoulder_mid = pelvis + plan.body.trunk_m * np.array([math.sin(lean), math.cos(lean)])
    for side, leg in legs.items():
        for name, points in _leg_keypoints(leg).items():
            out[:, KEYPOINT_INDEX[f"{side}_{name}"]] = points
        arm = _arm_keypoints(times, shoulder_mid, plan, params, side)
        for name, points in arm.items():
            out[:, KEYPOINT_INDEX[f"{side}_{name}"]] = points
    head = _head_keypoints(shoulder_mid, plan.body, lean)
    out[:, KEYPOINT_INDEX["nose"]] = head["nose"]
    for side in ("left", "right"):
        for part in ("eye_inner", "eye", "eye_outer", "ear"):
            out[:, KEYPOINT_INDEX[f"{side}_{part}"]] = head[part]
        out[:, KEYPOINT_INDEX[f"mouth_{side}"]] = head["mouth"]
    return out


def compute_world_keypoints(t: ArrayLike, plan: GaitPlan, params: RunnerParams) -> FloatArray:
    """All 33 keypoints in the world frame, metres, shape ``(N, 33, 2)``.

    Overground (static camera or tracking shot) the pelvis moves at
    ``speed_mps`` from ``x = 0`` at ``t = 0``; on a treadmill it stays at
    ``x = 0`` and the stance foot moves backwards at belt speed.
    """
    times = np.atleast_1d(np.asarray(t, dtype=float))
    points = compute_body_keypoints(times, plan, params)
    if params.setting != "treadmill":
        points[..., 0] += params.speed_mps * times[:, None]
    return points


def _body_extent(plan: GaitPlan, params: RunnerParams) -> tuple[float, float]:
    """Min and max keypoint ``x`` relative to the pelvis over a stride, metres."""
    t = np.linspace(0.0, plan.timing.stride_s, 120, endpoint=False)
    x = compute_body_keypoints(t, plan, params)[..., 0]
    return float(x.min()), float(x.max())


def _pan_jitter(params: RunnerParams, facing: int) -> tuple[float, float, float]:
    """Amplitude (px, signed by facing), frequency (Hz) and phase of the pan error."""
    if params.setting != "tracking" or params.pan_jitter_frac == 0.0:
        return 0.0, 0.0, 0.0
    rng = np.random.default_rng([params.seed, 11])
    amplitude = params.pan_jitter_frac * params.width_px * float(rng.uniform(*_JITTER_AMPLITUDE))
    hz = float(rng.uniform(*_JITTER_HZ))
    phase = float(rng.uniform(0.0, 2.0 * math.pi))
    return facing * amplitude, hz, phase


def plan_camera(params: RunnerParams, plan: GaitPlan) -> tuple[Camera, float]:
    """Choose the camera and the clip duration.

    The runner's standing height fills ``figure_height_frac`` of the frame
    height, unless the frame is too narrow: overground, to show at least two
    strides crossing; on a treadmill or in a tracking shot, to fit the body
    (and, tracking, its drift off centre). Overground the runner starts fully
    inside the frame at one edge; the default duration ends when the body
    reaches the other edge. ``params.style.camera_height_frac`` moves the
    ground line up or down. On a treadmill and in a tracking shot the body is
    centred; the tracking camera pans at the running speed
    (``pan_px_per_s = -facing * speed * scale``) plus a small smooth pan
    error drawn from the seed.

    Parameters
    ----------
    params
        Runner parameters.
    plan
        Gait plan built from ``params``.

    Returns
    -------
    camera : Camera
        The camera.
    duration_s : float
        ``params.duration_s`` or the default for the setting.
    """
    width, height = params.width_px, params.height_px
    body_m = plan.body.height_m
    pad = _DRAW_PAD * body_m
    lo, hi = _body_extent(plan, params)
    span = hi - lo + 2.0 * pad
    margin = 0.02 * width
    scale = params.figure_height_frac * height / body_m
    facing = 1 if params.direction == "right" else -1
    jitter_px, jitter_hz, jitter_phase = _pan_jitter(params, facing)
    if params.setting == "overground":
        travel = _MIN_CROSSING_STRIDES * params.speed_mps * plan.timing.stride_s
        scale = min(scale, (width - 2.0 * margin) / (span + travel))
        start = margin + (pad - lo) * scale
        crossing = (width - 2.0 * margin - span * scale) / (params.speed_mps * scale)
        duration = params.duration_s or crossing
    else:
        scale = min(scale, 0.96 * (width - 2.0 * abs(jitter_px)) / span)
        start = 0.5 * width - 0.5 * (lo + hi) * scale
        duration = params.duration_s or _TREADMILL_DURATION_S
    ground = min(0.5 * height + 0.5 * scale * body_m + 0.04 * height, 0.97 * height)
    shift = params.style.camera_height_frac
    if shift != 0.0:
        # A higher camera puts the ground lower in the frame; the head and the
        # feet stay inside (with room for a lens or tilt warp).
        lowest = min(1.15 * scale * body_m + 0.03 * height, 0.90 * height)
        ground = float(np.clip(ground + shift * height, lowest, 0.90 * height))
    origin = start if facing == 1 else width - start
    pan = -facing * params.speed_mps * scale if params.setting == "tracking" else 0.0
    camera = Camera(
        scale, ground, origin, facing, width, height, pan, jitter_px, jitter_hz, jitter_phase
    )
    return camera, float(duration)


# ---------------------------------------------------------------------------
# Ground truth
# ---------------------------------------------------------------------------


def _event_times(start: float, period: float, duration: float) -> FloatArray:
    """Return the times ``start + k * period`` inside ``[0, duration)``, any integer k."""
    first = start - math.floor(start / period) * period
    count = max(0, math.ceil((duration - first) / period))
    return np.asarray(first + period * np.arange(count), dtype=np.float64)


def _segment_com(points: FloatArray, body: BodyDimensions) -> FloatArray:
    """Whole-body centre of mass from keypoints (Winter), shape ``(N, 2)``."""
    k = KEYPOINT_INDEX

    def mid(a: str, b: str) -> FloatArray:
        return 0.5 * (points[:, k[a]] + points[:, k[b]])

    pelvis, shoulders = mid("left_hip", "right_hip"), mid("left_shoulder", "right_shoulder")
    ear = points[:, k["left_ear"]]
    head = ear + (points[:, k["nose"]] - ear) * 0.35
    total = np.zeros_like(pelvis)
    weight = 0.0
    parts = [("head", head, head), ("trunk", pelvis, shoulders)]
    for side in ("left", "right"):
        p = {
            n: points[:, k[f"{side}_{n}"]]
            for n in ("shoulder", "elbow", "wrist", "index", "hip", "knee", "ankle", "foot_index")
        }
        parts += [
            ("upper_arm", p["shoulder"], p["elbow"]),
            ("forearm", p["elbow"], p["wrist"]),
            ("hand", p["wrist"], p["index"]),
            ("thigh", p["hip"], p["knee"]),
            ("shank", p["knee"], p["ankle"]),
            ("foot", p["ankle"], p["foot_index"]),
        ]
    for name, start, end in parts:
        mass, where = SEGMENT_MASS_FRACTIONS[name]
        total += mass * (start + where * (end - start))
        weight += mass
    return total / weight


def _angle_from_vertical(lower: FloatArray, upper: FloatArray) -> FloatArray:
    """Angle of the lower→upper line from vertical, degrees, forward +."""
    d = upper - lower
    return np.degrees(np.arctan2(d[..., 0], d[..., 1]))


def _angle_from_down(upper: FloatArray, lower: FloatArray) -> FloatArray:
    """Angle of the upper→lower line from straight down, degrees, forward +."""
    d = lower - upper
    return np.degrees(np.arctan2(d[..., 0], -d[..., 1]))


def _contact_truth(side: str, time_s: float, plan: GaitPlan, params: RunnerParams) -> ContactTruth:
    """Angles and distances at one initial contact, from the exact pose."""
    k = KEYPOINT_INDEX
    p = compute_body_keypoints(np.array([time_s]), plan, params)
    hip, knee, ankle = (p[:, k[f"{side}_{n}"]] for n in ("hip", "knee", "ankle"))
    heel, toe = p[:, k[f"{side}_heel"]], p[:, k[f"{side}_foot_index"]]
    shoulders = 0.5 * (p[:, k["left_shoulder"]] + p[:, k["right_shoulder"]])
    contact_x = plan.stance.ball_x0_m + plan.contact_point_offset_m
    com = _segment_com(p, plan.body)
    return ContactTruth(
        side=side,
        time_s=time_s,
        frame_float=time_s * float(params.frame_rate),
        knee_flexion_deg=float(np.degrees(compute_knee_flexion(hip, knee, ankle))[0]),
        shank_angle_deg=float(_angle_from_down(knee, ankle)[0]),
        foot_angle_deg=math.degrees(plan.stance.foot_angle_ic),
        trunk_lean_deg=float(_angle_from_vertical(hip, shoulders)[0]),
        overstride_cm=100.0 * contact_x,
        overstride_com_cm=100.0 * float(contact_x - com[0, 0]),
        ankle_ahead_of_pelvis_cm=100.0 * float(ankle[0, 0] - hip[0, 0]),
        heel_ahead_of_pelvis_cm=100.0 * float(heel[0, 0] - hip[0, 0]),
        foot_index_ahead_of_pelvis_cm=100.0 * float(toe[0, 0] - hip[0, 0]),
    )


def _pose_offset_s(plan: GaitPlan) -> float:
    """Time after contact when the stance ankle passes under the pelvis."""
    tau = np.linspace(0.0, plan.timing.contact_s, 401)
    ankle, _, _ = compute_stance_foot(tau, plan.stance, plan.body)
    behind = np.nonzero(ankle[:, 0] <= 0.0)[0]
    if behind.size == 0:
        return plan.timing.contact_s
    i = int(behind[0])
    if i == 0:
        return 0.0
    lo, hi = tau[i - 1], tau[i]
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        x = compute_stance_foot(mid, plan.stance, plan.body)[0][0, 0]
        lo, hi = (mid, hi) if x > 0 else (lo, mid)
    return float(hi)


def _summary(plan: GaitPlan, params: RunnerParams) -> dict[str, float]:
    """Stride-level truth values with units in the keys."""
    timing, body = plan.timing, plan.body
    stride = np.linspace(0.0, timing.stride_s, 721, endpoint=False)
    leg = compute_leg_pose(stride, plan)
    swing = ~leg.in_stance
    peak = int(np.argmax(np.where(swing, leg.heel[:, 1], -np.inf)))
    mid = timing.contact_s / 2.0
    ankle_mid = compute_stance_foot(mid, plan.stance, body)[0][0]
    hip_mid = np.array([0.0, float(compute_pelvis_height(mid, plan.pelvis))])
    line = math.degrees(math.atan2(hip_mid[0] - ankle_mid[0], hip_mid[1] - ankle_mid[1]))
    lean = math.degrees(plan.trunk_lean_rad)
    return {
        "cadence_spm": params.cadence_spm,
        "stride_time_ms": 1000.0 * timing.stride_s,
        "step_time_ms": 1000.0 * timing.step_s,
        "contact_time_ms": 1000.0 * timing.contact_s,
        "flight_time_ms": 1000.0 * timing.flight_s,
        "swing_time_ms": 1000.0 * timing.swing_s,
        "duty_factor": timing.contact_s / timing.stride_s,
        "speed_mps": params.speed_mps,
        "stride_length_m": params.speed_mps * timing.stride_s,
        "step_length_m": params.speed_mps * timing.step_s,
        "vertical_oscillation_cm": 200.0 * plan.pelvis.amplitude_m,
        "pelvis_height_mean_cm": 100.0 * plan.pelvis.mean_m,
        "pull_heel_peak_height_cm": 100.0 * float(leg.heel[peak, 1]),
        "pull_heel_peak_height_frac": float(leg.heel[peak, 1]) / body.leg_length_m,
        "pull_ankle_behind_pelvis_cm": -100.0 * float(leg.ankle[peak, 0]),
        "pull_time_after_toe_off_ms": 1000.0 * float(stride[peak] - timing.contact_s),
        "trunk_lean_deg": lean,
        "support_line_lean_at_midstance_deg": line,
        "waist_bend_at_midstance_deg": lean - line,
        "foot_angle_at_toe_off_deg": math.degrees(plan.stance.foot_angle_to),
        "heel_off_after_contact_ms": 1000.0 * plan.stance.heel_off_s,
        "pose_after_contact_ms": 1000.0 * _pose_offset_s(plan),
    }


def _per_frame_angles(points: FloatArray) -> dict[str, FloatArray]:
    """Joint and segment angles per frame, degrees (see SyntheticTruth)."""
    k = KEYPOINT_INDEX
    out: dict[str, FloatArray] = {}
    pelvis = 0.5 * (points[:, k["left_hip"]] + points[:, k["right_hip"]])
    shoulders = 0.5 * (points[:, k["left_shoulder"]] + points[:, k["right_shoulder"]])
    out["trunk_lean"] = _angle_from_vertical(pelvis, shoulders)
    for side in ("left", "right"):
        hip, knee, ankle, heel, toe = (
            points[:, k[f"{side}_{n}"]] for n in ("hip", "knee", "ankle", "heel", "foot_index")
        )
        out[f"{side}_knee_flexion"] = np.degrees(compute_knee_flexion(hip, knee, ankle))
        out[f"{side}_thigh_angle"] = _angle_from_down(hip, knee)
        out[f"{side}_shank_angle"] = _angle_from_down(knee, ankle)
        foot = toe - heel
        out[f"{side}_heel_toe_angle"] = np.degrees(np.arctan2(foot[:, 1], foot[:, 0]))
    return out


def compute_truth(params: RunnerParams) -> SyntheticTruth:
    """Compute the exact ground truth of a synthetic clip.

    Parameters
    ----------
    params
        Runner parameters.

    Returns
    -------
    SyntheticTruth
        Frame times ``i / fps``, keypoints per frame (world metres and image
        pixels, after the style's tilt and lens warp when it has one), gait
        events per side, stride-level values and angles at each initial
        contact.
    """
    plan = plan_gait(params)
    camera, duration = plan_camera(params, plan)
    times = compute_frame_times(params.frame_rate, duration)
    world = compute_world_keypoints(times, plan, params)
    timing = plan.timing
    starts = {"right": plan.first_contact_s, "left": plan.first_contact_s + timing.step_s}
    pose_offset = _pose_offset_s(plan)
    events: dict[str, dict[str, FloatArray]] = {}
    contacts: list[ContactTruth] = []
    stance: dict[str, NDArray[np.bool_]] = {}
    for side, start in starts.items():
        events[side] = {
            "initial_contact": _event_times(start, timing.stride_s, duration),
            "toe_off": _event_times(start + timing.contact_s, timing.stride_s, duration),
            "heel_off": _event_times(start + plan.stance.heel_off_s, timing.stride_s, duration),
            "pose": _event_times(start + pose_offset, timing.stride_s, duration),
        }
        contacts += [
            _contact_truth(side, float(t), plan, params) for t in events[side]["initial_contact"]
        ]
        stance[side] = np.mod(times - start, timing.stride_s) < timing.contact_s
    contacts.sort(key=lambda c: c.time_s)
    pixels = project_to_pixels(world, camera, times)
    warp = build_warp(params.style, params.width_px, params.height_px)
    if warp is not None:
        pixels = warp.apply(pixels)
    return SyntheticTruth(
        params=params,
        frame_times_s=times,
        keypoints_px=pixels,
        keypoints_world_m=world,
        camera=camera,
        near_side="right" if params.direction == "right" else "left",
        body=plan.body,
        events_s=events,
        contacts=tuple(contacts),
        stance=stance,
        summary=_summary(plan, params),
        angles_deg=_per_frame_angles(world),
        warp=warp,
    )
