"""Whole-body kinematics of the synthetic runner: keypoints and camera.

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

The exact ground truth computed from these keypoints is in
:mod:`runform.synth.ground_truth`.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray

from runform.skeleton import KEYPOINT_INDEX, KEYPOINT_NAMES
from runform.synth.body import BodyDimensions
from runform.synth.camera import Camera
from runform.synth.gait import compute_leg_pose
from runform.synth.gait_plan import GaitPlan, LegPose
from runform.synth.geometry import compute_down_unit, rotate
from runform.synth.params import RunnerParams

__all__ = [
    "compute_body_keypoints",
    "compute_frame_times",
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
