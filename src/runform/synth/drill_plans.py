"""Keyframes of each drill: the shared postures and one plan per drill.

:func:`plan_drill` returns the keyframes (:mod:`runform.synth.drill_posture`)
and the repetitions performed (:class:`~runform.synth.drill_params.DrillRepTruth`)
of the drill a :class:`~runform.synth.drill_params.DrillParams` names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from runform.synth.body import BodyDimensions, compute_body_dimensions
from runform.synth.drill_params import DrillParams, DrillRepTruth
from runform.synth.drill_posture import Keyframe, Leg, _ball_ankle, _leg_angles, _leg_points
from runform.synth.geometry import rotate
from runform.synth.stance_motion import _foot_vectors

#: Thigh and knee angles of the raised leg in the Pose ("figure 4"), degrees:
#: the ankle under the hip at about the support knee's height.
POSE_THIGH_DEG, POSE_KNEE_DEG = 55.0, 110.0


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
