"""Parameters of the synthetic runner, with validation and named presets.

:class:`RunnerParams` describes one synthetic clip: the running technique
(cadence, duty factor, landing, lean, pull, arm swing), the setting
(overground, treadmill or a tracking shot; direction of travel) and the footage (frame rate,
frame size, duration, rendering seed). Every field carries its unit in its
name or docstring. Constructing one validates ranges and checks that the
requested gait is geometrically possible for the leg (see
:func:`runform.synth.gait.plan_gait`), so an invalid combination fails at
once with a message that names the offending fields.

Conventions
-----------
* World frame: metres, ``x`` along the direction of travel, ``y`` up,
  ``y = 0`` on the ground (the belt surface on a treadmill).
* The runner's centre of mass is represented by the pelvis centre (the
  midpoint of the hip joints); the truth file also reports a segmental
  centre of mass.
* A positive foot angle lifts the toes (heel landing); a positive trunk lean
  tilts the shoulders forward of the hips.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Literal, get_args

from runform.synth.gait import plan_gait
from runform.synth.landing import check_landing
from runform.synth.style import FootageStyle

__all__ = [
    "PRESETS",
    "Direction",
    "FootStrike",
    "RunnerParams",
    "Setting",
    "get_preset",
]

FootStrike = Literal["heel", "midfoot", "forefoot"]
Direction = Literal["right", "left"]
Setting = Literal["treadmill", "overground", "tracking"]

#: Foot angle to the ground at initial contact for each landing style, in
#: degrees (positive lifts the toes).
DEFAULT_FOOT_ANGLE_DEG: dict[str, float] = {
    "heel": 15.0,
    "midfoot": 0.0,
    "forefoot": -10.0,
}

#: Inclusive ranges for the numeric fields: (low, high, unit hint).
_RANGES: dict[str, tuple[float, float]] = {
    "cadence_spm": (120.0, 240.0),
    "duty_factor": (0.20, 0.50),
    "speed_mps": (1.0, 8.0),
    "knee_flexion_at_contact_deg": (3.0, 60.0),
    "overstride_cm": (-20.0, 60.0),
    "vertical_oscillation_cm": (2.0, 20.0),
    "pull_height_frac": (0.10, 0.85),
    "pull_behind_hip_cm": (-15.0, 50.0),
    "arm_swing_deg": (0.0, 120.0),
    "elbow_flexion_deg": (30.0, 150.0),
    "body_height_cm": (120.0, 220.0),
    "figure_height_frac": (0.15, 0.90),
    "first_contact_phase": (0.0, 1.0),
    "pan_jitter_frac": (0.0, 0.10),
    "approach_hover_ms": (0.0, 150.0),
    "approach_hover_cm": (0.2, 6.0),
    "thigh_scale": (0.85, 1.15),
    "shank_scale": (0.85, 1.15),
    "trunk_scale": (0.85, 1.15),
    "arm_scale": (0.85, 1.15),
    "foot_scale": (0.85, 1.15),
}

#: Names of the segment-length factors passed to
#: :func:`runform.synth.body.compute_body_dimensions`.
SEGMENT_SCALES = ("thigh_scale", "shank_scale", "trunk_scale", "arm_scale", "foot_scale")

#: Foot-angle bounds for each landing style, in degrees.
_FOOT_ANGLE_LIMITS: dict[str, tuple[float, float]] = {
    "heel": (2.0, 35.0),
    "midfoot": (-5.0, 5.0),
    "forefoot": (-30.0, -2.0),
}


def _convert_fps(fps: Fraction | float | str) -> Fraction:
    """Return ``fps`` as an exact fraction (float: nearest with denom ≤ 1001)."""
    if isinstance(fps, bool):
        raise ValueError(f"fps must be a number, got {fps!r}")
    if isinstance(fps, Fraction | int):
        return Fraction(fps)
    if isinstance(fps, str):
        try:
            return Fraction(fps.strip())
        except ValueError as err:
            raise ValueError(
                f"fps must be a number or a ratio such as '30000/1001', got {fps!r}"
            ) from err
    if not math.isfinite(fps):
        raise ValueError(f"fps must be finite, got {fps!r}")
    return Fraction(fps).limit_denominator(1001)


@dataclass(frozen=True)
class RunnerParams:
    """Everything that defines one synthetic running clip.

    Parameters
    ----------
    cadence_spm
        Steps per minute (both feet counted), 120–240.
    duty_factor
        Stance time as a fraction of the stride time, per leg, 0.20–0.50.
        Running has a flight phase when it is below 0.5; flight time per step
        is ``(0.5 - duty_factor) * stride_time``.
    speed_mps
        Running speed over the ground, or belt speed on a treadmill, m/s.
    knee_flexion_at_contact_deg
        Knee flexion at initial contact, degrees (0 = straight leg), 3–60.
    overstride_cm
        Horizontal distance of the contact point ahead of the pelvis centre
        (the centre-of-mass proxy) at initial contact, cm; negative lands
        behind it. The contact point is the first part of the shoe to touch
        the ground: the rear of the heel when the foot angle is positive,
        the ball of the foot when it is negative, the middle of the sole
        (midway between heel and ball) when it is exactly 0.
    foot_strike
        ``"heel"``, ``"midfoot"`` or ``"forefoot"``; sets the foot angle at
        contact unless ``foot_angle_at_contact_deg`` is given.
    foot_angle_at_contact_deg
        Angle of the sole to the ground at initial contact, degrees, toes up
        positive. ``None`` takes 15 (heel), 0 (midfoot) or −10 (forefoot).
        Must agree with ``foot_strike`` (heel 2–35, midfoot −5–5, forefoot
        −30 – −2).
    trunk_lean_deg
        Angle of the pelvis-centre→shoulder-centre line from vertical,
        degrees, forward positive. Give this or ``waist_bend_deg``, not both.
    waist_bend_deg
        Trunk angle relative to the support ankle→hip line at mid-stance,
        degrees, forward positive (bending at the waist rather than leaning
        from the ankles). When given, the trunk lean becomes that line's
        angle plus this bend, and ``trunk_lean_deg`` must be ``None``.
    vertical_oscillation_cm
        Peak-to-peak vertical excursion of the pelvis over a step, cm; the
        pelvis is lowest at mid-stance and highest at mid-flight.
    pull_height_frac
        Peak height of the swinging heel above the ground, as a fraction of
        the leg length (standing hip-joint height), 0.10–0.85.
    pull_behind_hip_cm
        Horizontal distance of the swinging ankle behind the pelvis centre
        when the heel is at its highest, cm (Pose Method: pull the foot up
        under the hip, so small).
    arm_swing_deg
        Peak-to-peak swing of the upper arm relative to the trunk, degrees.
    elbow_flexion_deg
        Mean elbow flexion, degrees (0 = straight arm).
    direction
        ``"right"`` or ``"left"``: the on-screen direction the runner faces
        and moves. Facing right the camera sees the runner's right side.
    setting
        ``"overground"`` (static camera, runner crosses the frame),
        ``"treadmill"`` (static camera, runner stays centred, the belt moves
        backwards at ``speed_mps``) or ``"tracking"`` (overground runner
        filmed by a camera that pans to keep the pelvis centred: the runner
        stays near the middle of the frame while the ground and background
        scroll backwards at ``speed_mps``).
    body_height_cm
        Standing height, cm; all segment lengths scale with it.
    fps
        Frame rate, frames per second: a Fraction, int, float or a string
        such as ``"30000/1001"``; stored as an exact
        :class:`~fractions.Fraction`. Supported: 30–240.
    width_px, height_px
        Frame size in pixels; any size from 64 up (odd sizes allowed).
    duration_s
        Clip length in seconds. ``None`` means: overground, the time the
        runner takes to cross the frame; treadmill and tracking, 5 s. An overground clip
        longer than the crossing shows the runner leaving the frame.
    figure_height_frac
        Standing height of the runner on screen as a fraction of the frame
        height (reduced automatically when a narrow overground frame could
        not show at least two strides).
    first_contact_phase
        Time of the right foot's first initial contact, as a fraction of a
        stride after the start of the clip, in [0, 1).
    pan_jitter_frac
        Tracking shot only: the largest pan error of the following camera
        (the runner drifts smoothly off centre and back, a sinusoid of
        0.5–1 times this amplitude), as a fraction of the frame width,
        0–0.10; 0 locks the pelvis exactly on the frame centre.
    seed
        Rendering seed: skin tone, clothing, background texture, and in a
        tracking shot the amplitude, frequency and phase of the pan error.
        It does not change the world kinematics, the events or the angles.
    approach_hover_ms
        How the swing foot comes down: 0 (default) is the steep approach;
        a positive value makes the foot drop to ``approach_hover_cm`` above
        the ground this long before initial contact and descend slowly from
        there (0–150 ms). Initial contact stays the first instant any part
        of the shoe reaches the ground.
    approach_hover_cm
        Height of the lowest point of the shoe when the hover starts, cm
        (0.2–6); used only when ``approach_hover_ms > 0``.
    thigh_scale, shank_scale, trunk_scale, arm_scale, foot_scale
        Body proportions: factors on Winter's thigh, shank, trunk, arm
        (upper arm, forearm, hand) and foot lengths of ``body_height_cm``,
        0.85–1.15 (1 = Winter's proportions).
    style
        Looks, camera and footage (colours, shoe shape, ground and belt,
        camera height and tilt, lens, light, motion blur, encoder quality):
        see :class:`~runform.synth.style.FootageStyle`; its defaults change
        nothing. A mapping (as read back from JSON) is converted.
    """

    cadence_spm: float = 180.0
    duty_factor: float = 0.30
    speed_mps: float = 2.8
    knee_flexion_at_contact_deg: float = 32.0
    overstride_cm: float = 20.0
    foot_strike: FootStrike = "forefoot"
    foot_angle_at_contact_deg: float | None = None
    trunk_lean_deg: float | None = 6.0
    waist_bend_deg: float | None = None
    vertical_oscillation_cm: float = 6.5
    pull_height_frac: float = 0.45
    pull_behind_hip_cm: float = 5.0
    arm_swing_deg: float = 60.0
    elbow_flexion_deg: float = 90.0
    direction: Direction = "right"
    setting: Setting = "overground"
    body_height_cm: float = 175.0
    fps: Fraction | float | str = field(default=Fraction(60))
    width_px: int = 1280
    height_px: int = 720
    duration_s: float | None = None
    figure_height_frac: float = 0.55
    first_contact_phase: float = 0.25
    pan_jitter_frac: float = 0.02
    seed: int = 0
    approach_hover_ms: float = 0.0
    approach_hover_cm: float = 1.5
    thigh_scale: float = 1.0
    shank_scale: float = 1.0
    trunk_scale: float = 1.0
    arm_scale: float = 1.0
    foot_scale: float = 1.0
    style: FootageStyle = field(default_factory=FootageStyle)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fps", _convert_fps(self.fps))
        object.__setattr__(self, "style", FootageStyle.from_value(self.style))
        self._check_choices()
        self._check_ranges()
        self._check_frame()
        self._check_foot_and_trunk()
        check_landing(self, plan_gait(self))

    @property
    def frame_rate(self) -> Fraction:
        """Frame rate as an exact fraction, frames per second."""
        assert isinstance(self.fps, Fraction)
        return self.fps

    @property
    def foot_angle_deg(self) -> float:
        """Foot angle at initial contact actually used, degrees, toes up +."""
        if self.foot_angle_at_contact_deg is not None:
            return float(self.foot_angle_at_contact_deg)
        return DEFAULT_FOOT_ANGLE_DEG[self.foot_strike]

    @property
    def segment_scales(self) -> dict[str, float]:
        """The body-proportion factors by name (see :data:`SEGMENT_SCALES`)."""
        return {name: float(getattr(self, name)) for name in SEGMENT_SCALES}

    @property
    def stride_time_s(self) -> float:
        """Time between two contacts of the same foot, seconds."""
        return 120.0 / self.cadence_spm

    def with_overrides(self, **changes: Any) -> RunnerParams:
        """Return a copy with some fields replaced (and validated again).

        Setting ``waist_bend_deg`` clears ``trunk_lean_deg`` and vice versa,
        unless both are given explicitly.
        """
        if "waist_bend_deg" in changes and "trunk_lean_deg" not in changes:
            changes["trunk_lean_deg"] = None
        if "trunk_lean_deg" in changes and "waist_bend_deg" not in changes:
            changes["waist_bend_deg"] = None
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as JSON-ready values (fps as ``"num/den"``)."""
        out = dataclasses.asdict(self)
        out["fps"] = f"{self.frame_rate.numerator}/{self.frame_rate.denominator}"
        out["style"] = self.style.to_dict()
        return out

    def _check_choices(self) -> None:
        choices = {
            "foot_strike": FootStrike,
            "direction": Direction,
            "setting": Setting,
        }
        for name, kind in choices.items():
            value = getattr(self, name)
            allowed = get_args(kind)
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")

    def _check_ranges(self) -> None:
        for name, (low, high) in _RANGES.items():
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
            upper_ok = value < high if name == "first_contact_phase" else value <= high
            if not (low <= value and upper_ok):
                raise ValueError(f"{name} must be in [{low}, {high}], got {value}")
        if not 10 <= self.frame_rate <= 1000:
            raise ValueError(
                f"fps must be in [10, 1000] (supported: 30–240), got {self.frame_rate}"
            )
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {self.seed!r}")

    def _check_frame(self) -> None:
        for name in ("width_px", "height_px"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 64 <= value <= 7680:
                raise ValueError(f"{name} must be an int in [64, 7680], got {value!r}")
        if self.duration_s is not None and not 0 < self.duration_s <= 600:
            raise ValueError(f"duration_s must be in (0, 600] s, got {self.duration_s}")

    def _check_foot_and_trunk(self) -> None:
        angle = self.foot_angle_at_contact_deg
        if angle is not None:
            low, high = _FOOT_ANGLE_LIMITS[self.foot_strike]
            if not low <= angle <= high:
                raise ValueError(
                    f"foot_angle_at_contact_deg={angle} contradicts "
                    f"foot_strike={self.foot_strike!r}: expected {low}–{high}°"
                )
        lean, bend = self.trunk_lean_deg, self.waist_bend_deg
        if (lean is None) == (bend is None):
            raise ValueError(
                "give exactly one of trunk_lean_deg and waist_bend_deg, got "
                f"trunk_lean_deg={lean}, waist_bend_deg={bend}"
            )
        value = lean if lean is not None else bend
        name = "trunk_lean_deg" if lean is not None else "waist_bend_deg"
        if value is None or not -20.0 <= value <= 45.0:
            raise ValueError(f"{name} must be in [-20, 45] degrees, got {value}")


def _build_presets() -> dict[str, RunnerParams]:
    """Return the named presets (each validated on construction)."""
    pose = RunnerParams()
    heel = RunnerParams(
        cadence_spm=160.0,
        duty_factor=0.38,
        speed_mps=3.0,
        knee_flexion_at_contact_deg=10.0,
        overstride_cm=32.0,
        foot_strike="heel",
        trunk_lean_deg=3.0,
        vertical_oscillation_cm=9.5,
        pull_height_frac=0.30,
        pull_behind_hip_cm=22.0,
        arm_swing_deg=45.0,
        elbow_flexion_deg=80.0,
        seed=1,
    )
    return {
        "pose_runner": pose,
        "heel_striker": heel,
        "waist_bender": pose.with_overrides(
            cadence_spm=172.0,
            foot_strike="midfoot",
            overstride_cm=16.0,
            waist_bend_deg=12.0,
            pull_height_frac=0.38,
            pull_behind_hip_cm=12.0,
            seed=2,
        ),
        "treadmill": pose.with_overrides(setting="treadmill", duration_s=4.0, seed=3),
        "slow_fps": pose.with_overrides(fps=Fraction(30), seed=4),
        "pose_runner_left": pose.with_overrides(direction="left", seed=5),
        "heel_striker_treadmill": heel.with_overrides(
            setting="treadmill", direction="left", duration_s=4.0, seed=6
        ),
        "ntsc_portrait": pose.with_overrides(
            setting="treadmill",
            fps=Fraction(30000, 1001),
            width_px=411,
            height_px=731,
            figure_height_frac=0.6,
            duration_s=4.0,
            seed=7,
        ),
        "high_fps": pose.with_overrides(fps=Fraction(240), duration_s=1.5, seed=8),
        "tracking_shot": pose.with_overrides(setting="tracking", duration_s=4.0, seed=9),
        # Single faults on the Pose runner, for the checkpoint tests: each
        # should fail its own checkpoints and leave the others alone.
        "overstrider": pose.with_overrides(
            foot_strike="heel", knee_flexion_at_contact_deg=12.0, overstride_cm=38.0, seed=10
        ),
        "low_pull": pose.with_overrides(pull_height_frac=0.25, pull_behind_hip_cm=28.0, seed=11),
        "low_cadence": pose.with_overrides(
            cadence_spm=155.0, duty_factor=0.27, speed_mps=2.6, seed=12
        ),
    }


def get_preset(name: str) -> RunnerParams:
    """Return the preset called ``name``.

    Raises
    ------
    KeyError
        If there is no such preset (the message lists the known names).
    """
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r}; known: {sorted(PRESETS)}")
    return PRESETS[name]


PRESETS: Mapping[str, RunnerParams] = MappingProxyType(_build_presets())
"""Named, read-only presets (1280×720 at 60 fps unless stated):

* ``pose_runner``: good Pose Method form: 180 spm, duty 0.30 (200 ms
  contact), 2.8 m/s, forefoot landing with the ball 20 cm ahead of the
  pelvis (ankle ~8 cm ahead, i.e. close under the body) and 32° knee
  flexion, 6° lean, 6.5 cm vertical oscillation, heel pulled to 0.45 leg
  lengths 5 cm behind the hip; overground, facing right.
* ``heel_striker``: 160 spm, duty 0.38, heel landing 32 cm ahead with a
  nearly straight knee (10°), 9.5 cm oscillation, low pull trailing 22 cm
  behind the hip.
* ``waist_bender``: like ``pose_runner`` (172 spm, midfoot) but bent 12° at
  the waist relative to the support line (trunk ~24° from vertical).
* ``treadmill``: ``pose_runner`` on a treadmill (4 s).
* ``slow_fps``: ``pose_runner`` at 30 fps.
* ``pose_runner_left``: ``pose_runner`` running to the left.
* ``heel_striker_treadmill``: ``heel_striker`` on a treadmill, facing left.
* ``ntsc_portrait``: treadmill, 30000/1001 fps, odd portrait frame 411×731.
* ``high_fps``: ``pose_runner`` at 240 fps (1.5 s).
* ``tracking_shot``: ``pose_runner`` overground filmed by a camera panning
  to follow it (4 s): the runner stays near the frame centre, the
  background scrolls backwards at 2.8 m/s.
"""
