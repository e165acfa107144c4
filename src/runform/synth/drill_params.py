"""Parameters of a synthetic drill clip and its exact truth (keypoints and repetitions).

See :mod:`runform.synth.drills` for the drills and how a clip is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from runform.checkpoints.rubric import DRILL_NAMES
from runform.synth.params import RunnerParams

FloatArray = NDArray[np.float64]


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
