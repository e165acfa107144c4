"""Postures of the drill performer: keyframes, the whole body from leg angles, animation.

A :class:`Keyframe` holds the pelvis, the trunk lean and each :class:`Leg`,
planted (ankle fixed, knee by inverse kinematics) or free (angles);
:func:`pose_body` gives the 33 keypoints of one posture (the running
model's head and the arms in running carriage) and :func:`animate`
interpolates between keyframes. World metres, ``x`` forward, ``y`` up,
angles in radians.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from runform.skeleton import KEYPOINT_INDEX, KEYPOINT_NAMES
from runform.synth.body import BodyDimensions
from runform.synth.geometry import compute_down_unit, rotate, solve_two_link
from runform.synth.kinematics import _head_keypoints
from runform.synth.stance_motion import _foot_vectors

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Leg:
    """One leg at a keyframe: planted (``ankle`` fixed) or free (angles)."""

    planted: bool
    foot_angle: float
    ankle: tuple[float, float] = (0.0, 0.0)
    thigh: float = 0.0
    knee: float = 0.0


@dataclass(frozen=True)
class Keyframe:
    """Pelvis, trunk lean and both legs at one time."""

    time_s: float
    pelvis: tuple[float, float]
    lean: float
    legs: dict[str, Leg]


def _ball_ankle(ball_x: float, foot_angle: float, body: BodyDimensions) -> tuple[float, float]:
    """Ankle of a foot whose ball rests on the ground at ``ball_x``."""
    vec = _foot_vectors(body)["ball"]
    offset = rotate(vec, foot_angle)
    return float(ball_x - offset[0]), float(-offset[1])


def _leg_angles(hip: FloatArray, ankle: FloatArray, body: BodyDimensions) -> tuple[float, float]:
    """Thigh angle from down and knee flexion of a leg from hip to ankle (radians)."""
    knee = solve_two_link(hip, ankle, body.thigh_m, body.shank_m)
    thigh = math.atan2(knee[0] - hip[0], hip[1] - knee[1])
    shank = math.atan2(ankle[0] - knee[0], knee[1] - ankle[1])
    return thigh, thigh - shank


def _leg_points(
    hip: FloatArray, thigh: float, knee_flex: float, foot_angle: float, body: BodyDimensions
) -> dict[str, FloatArray]:
    knee = hip + body.thigh_m * compute_down_unit(thigh)
    ankle = knee + body.shank_m * compute_down_unit(thigh - knee_flex)
    vec = _foot_vectors(body)
    return {
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + rotate(vec["heel"], foot_angle),
        "foot_index": ankle + rotate(vec["ball"], foot_angle) + rotate(vec["toe"], foot_angle),
    }


def _as_angles(leg: Leg, hip: FloatArray, body: BodyDimensions) -> tuple[float, float, float]:
    if not leg.planted:
        return leg.thigh, leg.knee, leg.foot_angle
    thigh, knee = _leg_angles(hip, np.asarray(leg.ankle), body)
    return thigh, knee, leg.foot_angle


def _smoothstep(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return u * u * (3.0 - 2.0 * u)


def _arm_points(shoulder: FloatArray, lean: float, body: BodyDimensions) -> dict[str, FloatArray]:
    """Arms held in running carriage: upper arm slightly back, elbow at 90 deg."""
    upper = -lean - math.radians(10.0)
    fore = upper + math.radians(90.0)
    elbow = shoulder + body.upper_arm_m * compute_down_unit(upper)
    wrist = elbow + body.forearm_m * compute_down_unit(fore)
    hand = compute_down_unit(fore + math.radians(10.0))
    side = rotate(hand, math.pi / 2)
    length = body.hand_m
    return {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": wrist,
        "index": wrist + length * (0.45 * hand + 0.08 * side),
        "pinky": wrist + length * (0.40 * hand - 0.10 * side),
        "thumb": wrist + length * (0.30 * hand + 0.22 * side),
    }


def pose_body(
    pelvis: FloatArray,
    lean: float,
    legs: dict[str, tuple[float, float, float]],
    body: BodyDimensions,
) -> FloatArray:
    """All 33 keypoints (world metres) of one posture.

    Parameters
    ----------
    pelvis
        Pelvis centre ``(x, y)``.
    lean
        Trunk lean from vertical, radians, forward positive.
    legs
        ``{side: (thigh, knee_flexion, foot_angle)}`` radians.
    body
        Segment lengths.
    """
    out = np.empty((len(KEYPOINT_NAMES), 2))
    shoulder = pelvis + body.trunk_m * np.array([math.sin(lean), math.cos(lean)])
    for side, (thigh, knee, foot) in legs.items():
        for name, point in _leg_points(pelvis, thigh, knee, foot, body).items():
            out[KEYPOINT_INDEX[f"{side}_{name}"]] = point
        for name, point in _arm_points(shoulder, lean, body).items():
            out[KEYPOINT_INDEX[f"{side}_{name}"]] = point
    head = _head_keypoints(shoulder[None, :], body, lean)
    out[KEYPOINT_INDEX["nose"]] = head["nose"][0]
    for side in ("left", "right"):
        for part in ("eye_inner", "eye", "eye_outer", "ear"):
            out[KEYPOINT_INDEX[f"{side}_{part}"]] = head[part][0]
        out[KEYPOINT_INDEX[f"mouth_{side}"]] = head["mouth"][0]
    return out


def animate(keyframes: list[Keyframe], times: FloatArray, body: BodyDimensions) -> FloatArray:
    """World keypoints ``(N, 33, 2)`` at ``times`` from time-ordered keyframes."""
    starts = np.array([k.time_s for k in keyframes])
    out = np.empty((times.size, len(KEYPOINT_NAMES), 2))
    for i, t in enumerate(times):
        j = int(np.clip(np.searchsorted(starts, t, side="right") - 1, 0, len(keyframes) - 2))
        a, b = keyframes[j], keyframes[j + 1]
        u = _smoothstep((t - a.time_s) / max(b.time_s - a.time_s, 1e-9))
        pelvis = (1 - u) * np.asarray(a.pelvis) + u * np.asarray(b.pelvis)
        lean = (1 - u) * a.lean + u * b.lean
        legs = {}
        for side in ("left", "right"):
            la, lb = a.legs[side], b.legs[side]
            if la.planted and lb.planted and la.ankle == lb.ankle:
                angles = _as_angles(
                    replace(la, foot_angle=(1 - u) * la.foot_angle + u * lb.foot_angle),
                    pelvis,
                    body,
                )
            else:
                pa = _as_angles(la, np.asarray(a.pelvis), body)
                pb = _as_angles(lb, np.asarray(b.pelvis), body)
                angles = tuple((1 - u) * x + u * y for x, y in zip(pa, pb, strict=True))  # type: ignore[assignment]
            legs[side] = angles
        out[i] = pose_body(pelvis, lean, legs, body)
    return out
