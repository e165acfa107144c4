"""Synthetic Pose Method drills with exact keypoints, rendered like the runner.

A drill is a list of keyframes: the pelvis, the trunk lean and each leg,
either *planted* (the ankle fixed on the ground, the knee solved by inverse
kinematics, so the foot never slides while the body moves) or *free* (thigh
angle, knee flexion and foot angle). Between keyframes a planted leg that
stays planted is solved at every frame; anything else is interpolated in
joint angles with a smoothstep. The same body, face, arms, camera and
painter as the running model (:mod:`runform.synth.kinematics`,
:mod:`runform.synth.render`) make the figure, so MediaPipe sees the same
person.

World frame: metres, ``x`` forward (the way the performer faces), ``y`` up,
ground at 0. Angles in radians inside, degrees in the parameters.

Drills (each rep is one movement the analysis must count):

* ``pose_stance``: hold the running Pose on one leg (sides alternate);
* ``pony``: quick small alternating pulls in place, on the balls of the feet;
* ``change_of_support``: from the Pose, drop the raised foot as the support
  foot is pulled up; hold; repeat;
* ``foot_tap``: on one leg, tap the other foot's ball under the hip and pull
  it straight back up;
* ``hamstring_pull``: on one leg, pull the other heel up toward the buttock;
* ``wall_fall`` / ``timber_fall``: fall forward as one piece from the
  ankles to ``lean_deg`` and come back;
* ``front_lean``: small two-footed hops in place, leaning from the ankles.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from runform.checkpoints.rubric import DRILL_NAMES
from runform.skeleton import KEYPOINT_INDEX, KEYPOINT_NAMES
from runform.synth.body import BodyDimensions, compute_body_dimensions
from runform.synth.camera import project_to_pixels
from runform.synth.figure import View, draw_runner
from runform.synth.geometry import compute_down_unit, rotate, solve_two_link
from runform.synth.kinematics import _head_keypoints, compute_frame_times
from runform.synth.params import RunnerParams
from runform.synth.render import build_scene, draw_shadows
from runform.synth.stance_motion import _foot_vectors

FloatArray = NDArray[np.float64]


#: Thigh and knee angles of the raised leg in the Pose ("figure 4"), degrees:
#: the ankle under the hip at about the support knee's height.
POSE_THIGH_DEG, POSE_KNEE_DEG = 55.0, 110.0


@dataclass(frozen=True)
class DrillParams:
    """Everything that defines one synthetic drill clip.

    Parameters
    ----------
    drill
        One of :data:`DRILL_NAMES`.
    reps
        Repetitions performed.
    rep_s
        Duration of one repetition, seconds (the hold itself for
        ``pose_stance``).
    support_knee_deg
        Knee flexion of a standing leg, degrees.
    heel_raise_deg
        Toes-down angle of a standing foot, degrees (0 flat; Pose: on the
        ball of the foot, the heel just off the ground).
    pull_height_frac
        Peak heel height above the ground of a pulled foot, leg lengths
        (``pony``, ``change_of_support``, ``hamstring_pull``).
    pull_behind_cm
        Ankle of a pulled foot behind the hip at the top of the pull, cm (0:
        straight up under the hip; ``pony``, ``change_of_support``).
    thigh_back_deg
        Thigh behind vertical in a hamstring pull, degrees (0: the knee stays
        under the hip and the heel rises toward the buttock; positive: the
        leg swings back behind).
    tap_ahead_cm
        Where the tapping ankle lands ahead of the hip, cm (``foot_tap``).
    lean_deg
        Peak lean from the ankles, degrees (falls, ``front_lean``).
    waist_bend_deg
        Trunk angle ahead of the ankle→hip line at the peak of a fall,
        degrees (0: one piece).
    sway_cm
        Fore-aft sway of the hips while holding the Pose, amplitude, cm.
    hop_height_cm
        Height of the pelvis rise in a hop, cm (``front_lean``).
    direction
        ``"right"`` or ``"left"``: the way the performer faces on screen.
    body_height_cm, fps, width_px, height_px, figure_height_frac, seed
        As for :class:`~runform.synth.params.RunnerParams`.
    """

    drill: str
    reps: int = 6
    rep_s: float = 1.0
    support_knee_deg: float = 20.0
    heel_raise_deg: float = 10.0
    pull_height_frac: float = 0.25
    pull_behind_cm: float = 0.0
    thigh_back_deg: float = 0.0
    tap_ahead_cm: float = 0.0
    lean_deg: float = 12.0
    waist_bend_deg: float = 0.0
    sway_cm: float = 0.5
    hop_height_cm: float = 6.0
    direction: str = "right"
    body_height_cm: float = 175.0
    fps: Fraction | float | str = field(default=Fraction(60))
    width_px: int = 1280
    height_px: int = 720
    figure_height_frac: float = 0.6
    seed: int = 0

    def __post_init__(self) -> None:
        if self.drill not in DRILL_NAMES:
            raise ValueError(f"drill must be one of {DRILL_NAMES}, got {self.drill!r}")
        if not 1 <= self.reps <= 100:
            raise ValueError(f"reps must be in [1, 100], got {self.reps}")
        if not 0.2 <= self.rep_s <= 30:
            raise ValueError(f"rep_s must be in [0.2, 30] s, got {self.rep_s}")
        if self.direction not in ("right", "left"):
            raise ValueError(f"direction must be 'right' or 'left', got {self.direction!r}")
        if not 0.05 <= self.pull_height_frac <= 0.85:
            raise ValueError(
                f"pull_height_frac must be in [0.05, 0.85], got {self.pull_height_frac}"
            )

    def to_runner_params(self, duration_s: float) -> RunnerParams:
        """Scene parameters: a static camera centred on the performer (no belt drawn)."""
        return RunnerParams(
            setting="treadmill",
            speed_mps=2.8,
            direction=self.direction,  # type: ignore[arg-type]
            body_height_cm=self.body_height_cm,
            fps=self.fps,
            width_px=self.width_px,
            height_px=self.height_px,
            figure_height_frac=self.figure_height_frac,
            duration_s=duration_s,
            seed=self.seed,
        )


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


@dataclass(frozen=True)
class DrillRepTruth:
    """One repetition as performed: when, which leg, and its exact values."""

    index: int
    start_s: float
    end_s: float
    side: str | None
    values: dict[str, float]


@dataclass(frozen=True)
class DrillTruth:
    """A synthetic drill clip's exact data.

    Attributes
    ----------
    params
        The parameters.
    frame_times_s
        ``(N,)`` seconds.
    keypoints_world_m
        ``(N, 33, 2)`` metres, ``x`` forward, ``y`` up.
    keypoints_px
        ``(N, 33, 2)`` image pixels (x right, y down).
    reps
        The repetitions performed, in time order.
    """

    params: DrillParams
    frame_times_s: FloatArray
    keypoints_world_m: FloatArray
    keypoints_px: FloatArray
    reps: tuple[DrillRepTruth, ...]


# ----------------------------------------------------------------- geometry


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


# ----------------------------------------------------------------- drills


@dataclass(frozen=True)
class _Kit:
    """Postures shared by the drills."""

    body: BodyDimensions
    params: DrillParams

    @property
    def heel_raise(self) -> float:
        return -math.radians(self.params.heel_raise_deg)

    def planted(self, ball_x: float) -> Leg:
        return Leg(True, self.heel_raise, _ball_ankle(ball_x, self.heel_raise, self.body))

    def stance_height(self, knee_deg: float, ankle_y: float) -> float:
        """Pelvis height over an ankle with the knee bent ``knee_deg``."""
        th, sh = self.body.thigh_m, self.body.shank_m
        k = math.radians(knee_deg)
        return ankle_y + math.sqrt(th * th + sh * sh + 2 * th * sh * math.cos(k))

    def pose_leg(self) -> Leg:
        return Leg(False, math.radians(-20.0), thigh=math.radians(POSE_THIGH_DEG),
                   knee=math.radians(POSE_KNEE_DEG))  # fmt: skip

    def hip_height(self) -> float:
        """Pelvis height when standing on one leg with the support knee bent."""
        ankle_y = _ball_ankle(0.0, self.heel_raise, self.body)[1]
        return self.stance_height(self.params.support_knee_deg, ankle_y)

    def pulled_leg(self, height_frac: float, behind_cm: float) -> Leg:
        """Free leg pulled up: heel at ``height_frac`` leg lengths, ankle ``behind_cm`` back."""
        body = self.body
        foot = math.radians(-10.0)
        heel_offset = float(rotate(_foot_vectors(body)["heel"], foot)[1])
        ankle_y = height_frac * body.leg_length_m - heel_offset
        hip = np.array([0.0, self.hip_height()])
        ankle = np.array([-behind_cm / 100.0, ankle_y])
        thigh, knee = _leg_angles(hip, ankle, body)
        return Leg(False, foot, thigh=thigh, knee=knee)

    def hamstring_leg(self, height_frac: float, thigh_back_deg: float) -> Leg:
        """Free leg with the thigh ``thigh_back_deg`` back and the heel at ``height_frac``."""
        body = self.body
        thigh = -math.radians(thigh_back_deg)
        foot = math.radians(-10.0)
        target = height_frac * body.leg_length_m - self.hip_height()
        knees = np.linspace(0.0, math.radians(160.0), 321)
        heights = [
            float(_leg_points(np.zeros(2), thigh, float(k), foot, body)["heel"][1]) for k in knees
        ]
        best = int(np.argmin(np.abs(np.asarray(heights) - target)))
        return Leg(False, foot, thigh=thigh, knee=float(knees[best]))


def _stand(kit: _Kit, t: float, knee_deg: float, lean: float = 0.0) -> Keyframe:
    ankle = _ball_ankle(0.0, kit.heel_raise, kit.body)
    height = kit.stance_height(knee_deg, ankle[1])
    legs = {s: kit.planted(0.0) for s in ("left", "right")}
    return Keyframe(t, (ankle[0], height), lean, legs)


def _on_one_leg(kit: _Kit, t: float, support: str, free: Leg, dx: float = 0.0) -> Keyframe:
    ankle = _ball_ankle(0.0, kit.heel_raise, kit.body)
    height = kit.stance_height(kit.params.support_knee_deg, ankle[1])
    other = "left" if support == "right" else "right"
    return Keyframe(t, (ankle[0] + dx, height), 0.0, {support: kit.planted(0.0), other: free})


def _other(side: str) -> str:
    return "left" if side == "right" else "right"


def _plan_pose_stance(kit: _Kit) -> tuple[list[Keyframe], list[DrillRepTruth]]:
    p = kit.params
    frames, reps, t = [_stand(kit, 0.0, p.support_knee_deg)], [], 0.5
    frames.append(_stand(kit, t, p.support_knee_deg))
    sway = p.sway_cm / 100.0
    for i in range(p.reps):
        side = "right" if i % 2 == 0 else "left"
        frames.append(_on_one_leg(kit, t + 0.4, side, kit.pose_leg()))
        n_sway = max(2, int(p.rep_s / 0.4))
        for k in range(1, n_sway + 1):
            dx = sway * math.sin(math.pi * k / 2)
            frames.append(
                _on_one_leg(kit, t + 0.4 + k * p.rep_s / n_sway, side, kit.pose_leg(), dx)
            )
        reps.append(DrillRepTruth(i, t + 0.4, t + 0.4 + p.rep_s, side, {"hold_s": p.rep_s}))
        t += 0.4 + p.rep_s + 0.4
        frames.append(_stand(kit, t, p.support_knee_deg))
        t += 0.5
        frames.append(_stand(kit, t, p.support_knee_deg))
    return frames, reps


def _plan_lifts(
    kit: _Kit, free: Leg, alternate: bool, hold: float
) -> tuple[list[Keyframe], list[DrillRepTruth]]:
    """Lift a foot and put it down, ``reps`` times (alternating or one side)."""
    p = kit.params
    frames, reps, t = [_stand(kit, 0.0, p.support_knee_deg)], [], 0.4
    frames.append(_stand(kit, t, p.support_knee_deg))
    for i in range(p.reps):
        side = ("right" if i % 2 == 0 else "left") if alternate else "left"
        up = (1.0 - hold) * p.rep_s / 2
        frames.append(_on_one_leg(kit, t + up, _other(side), free))
        if hold > 0:
            frames.append(_on_one_leg(kit, t + up + hold * p.rep_s, _other(side), free))
        frames.append(_stand(kit, t + p.rep_s, p.support_knee_deg))
        reps.append(DrillRepTruth(i, t, t + p.rep_s, side, {}))
        t += p.rep_s
    frames.append(_stand(kit, t + 0.4, p.support_knee_deg))
    return frames, reps


def _plan_change_of_support(kit: _Kit) -> tuple[list[Keyframe], list[DrillRepTruth]]:
    p = kit.params
    raised = kit.pulled_leg(p.pull_height_frac, p.pull_behind_cm)
    frames = [_stand(kit, 0.0, p.support_knee_deg), _on_one_leg(kit, 0.5, "right", raised)]
    reps, t, switch = [], 0.5, 0.12
    support = "right"
    for i in range(p.reps):
        frames.append(_on_one_leg(kit, t + p.rep_s - switch, support, raised))
        support = _other(support)
        frames.append(_on_one_leg(kit, t + p.rep_s, support, raised))
        reps.append(
            DrillRepTruth(
                i, t + p.rep_s - switch, t + p.rep_s, _other(support), {"switch_s": switch}
            )
        )
        t += p.rep_s
    frames.append(_stand(kit, t + 0.5, p.support_knee_deg))
    return frames, reps


def _plan_foot_tap(kit: _Kit) -> tuple[list[Keyframe], list[DrillRepTruth]]:
    p = kit.params
    frames = [_stand(kit, 0.0, p.support_knee_deg), _on_one_leg(kit, 0.5, "right", kit.pose_leg())]
    reps, t = [], 0.5
    tap_x = p.tap_ahead_cm / 100.0
    for i in range(p.reps):
        down = t + 0.4 * p.rep_s
        tap = kit.planted(tap_x)
        frames.append(_on_one_leg(kit, down, "right", tap))
        frames.append(_on_one_leg(kit, down + 0.08, "right", tap))
        frames.append(_on_one_leg(kit, t + p.rep_s, "right", kit.pose_leg()))
        reps.append(DrillRepTruth(i, down, down + 0.08, "left", {"tap_ahead_cm": p.tap_ahead_cm}))
        t += p.rep_s
    frames.append(_stand(kit, t + 0.5, p.support_knee_deg))
    return frames, reps


def _plan_fall(kit: _Kit) -> tuple[list[Keyframe], list[DrillRepTruth]]:
    """Fall forward as one piece from the ankles (plus any waist bend) and come back."""
    p = kit.params
    ankle = _ball_ankle(0.0, kit.heel_raise, kit.body)
    height = kit.stance_height(5.0, ankle[1]) - ankle[1]
    frames, reps, t = [_stand(kit, 0.0, 5.0)], [], 0.5
    frames.append(_stand(kit, t, 5.0))
    for i in range(p.reps):
        lean = math.radians(p.lean_deg)
        pelvis = (ankle[0] + height * math.sin(lean), ankle[1] + height * math.cos(lean))
        legs = {s: kit.planted(0.0) for s in ("left", "right")}
        bend = lean + math.radians(p.waist_bend_deg)
        frames.append(Keyframe(t + 0.45 * p.rep_s, pelvis, bend, legs))
        frames.append(Keyframe(t + 0.6 * p.rep_s, pelvis, bend, legs))
        frames.append(_stand(kit, t + p.rep_s, 5.0))
        values = {"lean_deg": p.lean_deg, "waist_bend_deg": p.waist_bend_deg}
        reps.append(DrillRepTruth(i, t, t + p.rep_s, None, values))
        t += p.rep_s + 0.3
        frames.append(_stand(kit, t, 5.0))
    return frames, reps


def _plan_front_lean(kit: _Kit) -> tuple[list[Keyframe], list[DrillRepTruth]]:
    """Two-footed hops in place, the body leaning from the ankles."""
    p = kit.params
    lean = math.radians(p.lean_deg)
    ankle = _ball_ankle(0.0, kit.heel_raise, kit.body)
    base = kit.stance_height(p.support_knee_deg, ankle[1]) - ankle[1]
    down = (ankle[0] + base * math.sin(lean), ankle[1] + base * math.cos(lean))
    planted = {s: kit.planted(0.0) for s in ("left", "right")}
    thigh, knee = _leg_angles(np.asarray(down), np.asarray(ankle), kit.body)
    air = {s: Leg(False, kit.heel_raise, thigh=thigh, knee=knee) for s in ("left", "right")}
    frames, reps, t = (
        [Keyframe(0.0, down, lean, planted), Keyframe(0.4, down, lean, planted)],
        [],
        0.4,
    )
    rise = p.hop_height_cm / 100.0
    for i in range(p.reps):
        top = (down[0], down[1] + rise)
        frames.append(Keyframe(t + 0.3 * p.rep_s, down, lean, planted))
        frames.append(Keyframe(t + 0.5 * p.rep_s, top, lean, air))
        frames.append(Keyframe(t + 0.7 * p.rep_s, down, lean, planted))
        frames.append(Keyframe(t + p.rep_s, down, lean, planted))
        reps.append(
            DrillRepTruth(i, t + 0.3 * p.rep_s, t + 0.7 * p.rep_s, None, {"lean_deg": p.lean_deg})
        )
        t += p.rep_s
    frames.append(Keyframe(t + 0.4, down, lean, planted))
    return frames, reps


def plan_drill(params: DrillParams) -> tuple[list[Keyframe], list[DrillRepTruth]]:
    """Keyframes and the repetitions of a drill."""
    kit = _Kit(compute_body_dimensions(params.body_height_cm / 100.0), params)
    if params.drill == "pose_stance":
        return _plan_pose_stance(kit)
    if params.drill == "pony":
        leg = kit.pulled_leg(params.pull_height_frac, params.pull_behind_cm)
        return _plan_lifts(kit, leg, True, 0.0)
    if params.drill == "hamstring_pull":
        leg = kit.hamstring_leg(params.pull_height_frac, params.thigh_back_deg)
        return _plan_lifts(kit, leg, False, 0.2)
    if params.drill == "change_of_support":
        return _plan_change_of_support(kit)
    if params.drill == "foot_tap":
        return _plan_foot_tap(kit)
    if params.drill in ("wall_fall", "timber_fall"):
        return _plan_fall(kit)
    return _plan_front_lean(kit)


def compute_drill_truth(params: DrillParams) -> DrillTruth:
    """Exact keypoints and repetitions of a synthetic drill clip."""
    keyframes, reps = plan_drill(params)
    duration = keyframes[-1].time_s
    scene_params = params.to_runner_params(duration)
    body = compute_body_dimensions(params.body_height_cm / 100.0)
    times = compute_frame_times(scene_params.frame_rate, duration)
    world = animate(keyframes, times, body)
    scene = build_scene(scene_params)
    pixels = project_to_pixels(world, scene.camera, times)
    return DrillTruth(params, times, world, pixels, tuple(reps))


def render_drill_frames(truth: DrillTruth) -> Iterator[NDArray[np.uint8]]:
    """Yield the frames of a drill clip (static camera, no treadmill belt)."""
    duration = float(truth.frame_times_s[-1]) if truth.frame_times_s.size else 0.0
    scene = build_scene(truth.params.to_runner_params(max(duration, 0.1)))
    cam = scene.camera
    view = View(cam.scale_px_per_m, cam.facing)
    feet = [KEYPOINT_INDEX["left_ankle"], KEYPOINT_INDEX["right_ankle"]]
    for t, kp in zip(truth.frame_times_s, truth.keypoints_px, strict=True):
        canvas = scene.background_at(float(t))
        pelvis_x = 0.5 * float(
            kp[KEYPOINT_INDEX["left_hip"], 0] + kp[KEYPOINT_INDEX["right_hip"], 0]
        )
        draw_shadows(canvas, cam, kp[feet], pelvis_x)
        draw_runner(canvas, kp, scene.body, view, scene.appearance)
        yield np.clip(canvas * 255.0 + 0.5, 0, 255).astype(np.uint8)


def write_drill_clip(
    params: DrillParams, folder: Path, name: str | None = None
) -> tuple[Path, DrillTruth]:
    """Render a drill to ``folder/<name>.mp4``; return the path and the truth."""
    from runform.io.video_writer import VideoWriter

    truth = compute_drill_truth(params)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or params.drill}.mp4"
    with VideoWriter(path, params.to_runner_params(1.0).frame_rate) as writer:
        for frame in render_drill_frames(truth):
            writer.write(frame)
    return path, truth


def create_drill_poses(truth: DrillTruth) -> Any:
    """Build a poses dataset of the drill's exact keypoints (no pose model), like MediaPipe's."""
    from runform.io.poses import create_poses_dataset

    position = truth.keypoints_px.transpose(0, 2, 1)[..., None]
    conf = np.full((truth.keypoints_px.shape[0], truth.keypoints_px.shape[1], 1), 0.95)
    rate = truth.params.to_runner_params(1.0).frame_rate
    attrs = {
        "frame_width": truth.params.width_px,
        "frame_height": truth.params.height_px,
        "fps": float(rate),
        "source_software": "runform.synth drills (exact keypoints)",
    }
    return create_poses_dataset(position, conf, truth.frame_times_s, attrs=attrs)


def describe(truth: DrillTruth) -> dict[str, Any]:
    """JSON-ready summary of the repetitions (for tests and the CLI)."""
    return {
        "drill": truth.params.drill,
        "reps": [
            {"index": r.index, "start_s": r.start_s, "end_s": r.end_s, "side": r.side, **r.values}
            for r in truth.reps
        ],
    }
