"""Synthetic clips with more than one person: the runner plus standing or walking bystanders.

A bystander is posed with the drill performer's body model
(:func:`runform.synth.drill_posture.pose_body`) and drawn with the runner's painter
in their own colours, behind or in front of the runner. Standing: feet
apart, a slow sway. Walking: legs swinging at walking stride rates (0.9
strides/s), moving along the ground at ``speed_mps``. Their keypoints are
returned so tests know exactly where everybody is; the runner's truth is the
single-runner truth of the same parameters, unchanged by the bystanders.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from runform.io.video_writer import VideoWriter
from runform.skeleton import KEYPOINT_INDEX
from runform.synth.appearance import choose_appearance
from runform.synth.body import compute_body_dimensions
from runform.synth.camera import Camera, project_to_pixels
from runform.synth.clip import DEFAULT_CRF
from runform.synth.drill_posture import pose_body
from runform.synth.figure import View
from runform.synth.ground_truth import compute_truth
from runform.synth.params import RunnerParams
from runform.synth.render import OtherFigure, build_scene, render_frame
from runform.synth.truth import SyntheticTruth

FloatArray = NDArray[np.float64]

#: Stride rate of a walking bystander, strides/s.
WALKING_STRIDE_HZ = 0.9


@dataclass(frozen=True)
class BystanderParams:
    """One bystander.

    Attributes
    ----------
    motion
        ``"standing"`` or ``"walking"``.
    start_x_m
        Where they stand (or start), metres along the runner's direction of
        travel from the runner's world origin (the treadmill's pelvis line,
        or where an overground runner is at ``t = 0``).
    speed_mps
        Walking speed along the same axis, m/s (negative: against the runner).
    facing
        +1 facing the runner's direction of travel, -1 the other way (a
        walker faces where they walk).
    depth_scale
        Size relative to a person at the runner's distance (0.8: farther).
    in_front
        Drawn over the runner, nearer the camera.
    height_m
        Body height, metres.
    seed
        Colours.
    """

    motion: Literal["standing", "walking"] = "standing"
    start_x_m: float = 1.5
    speed_mps: float = 0.0
    facing: int = -1
    depth_scale: float = 1.0
    in_front: bool = False
    height_m: float = 1.80
    seed: int = 21

    def __post_init__(self) -> None:
        if self.motion not in ("standing", "walking"):
            raise ValueError(f"motion must be 'standing' or 'walking', got {self.motion!r}")
        if self.facing not in (-1, 1):
            raise ValueError(f"facing must be +1 or -1, got {self.facing}")
        if not 0.3 <= self.depth_scale <= 1.5:
            raise ValueError(f"depth_scale must be in 0.3-1.5, got {self.depth_scale}")


def compute_bystander_world(params: BystanderParams, times_s: FloatArray) -> FloatArray:
    """World keypoints ``(N, 33, 2)`` (metres, ``x`` their forward, ``y`` up) at ``times_s``."""
    body = compute_body_dimensions(params.height_m)
    out = np.empty((len(times_s), 33, 2))
    leg = body.thigh_m + body.shank_m
    for i, t in enumerate(np.asarray(times_s, dtype=float)):
        if params.motion == "walking":
            phase = 2 * math.pi * WALKING_STRIDE_HZ * t
            legs = {side: _walking_leg(phase + (math.pi if side == "right" else 0.0))
                    for side in ("left", "right")}  # fmt: skip
            pelvis = np.array([0.0, 0.97 * leg + 0.015 * math.cos(2 * phase)])
        else:
            sway = 0.01 * math.sin(2 * math.pi * 0.25 * t)
            legs = {"left": (0.06, 0.05, 0.0), "right": (-0.06, 0.05, 0.0)}
            pelvis = np.array([sway, 0.995 * leg])
        out[i] = pose_body(pelvis, 0.0, legs, body)
    return out


def _walking_leg(phase: float) -> tuple[float, float, float]:
    """Thigh angle, knee flexion and foot angle (radians) of a walking leg."""
    thigh = 0.38 * math.sin(phase)
    knee = 0.08 + 0.9 * max(0.0, math.sin(phase + 0.6 * math.pi)) ** 2
    return thigh, knee, 0.15 * math.sin(phase - 0.3)


def project_bystander(
    params: BystanderParams, world: FloatArray, times_s: FloatArray, camera: Camera
) -> FloatArray:
    """Image pixels ``(N, 33, 2)`` of a bystander's world keypoints.

    Their own forward axis is turned to the runner's world by ``facing``,
    they move by ``speed_mps``, and a ``depth_scale`` below 1 shrinks them
    about their feet and lifts them a little, as if farther from the camera.
    """
    t = np.asarray(times_s, dtype=float)
    placed = world.copy()
    placed[..., 0] = (
        params.start_x_m + params.speed_mps * t[:, None] + params.facing * world[..., 0]
    )
    px = project_to_pixels(placed, camera, t)
    hips = placed[:, [KEYPOINT_INDEX["left_hip"], KEYPOINT_INDEX["right_hip"]], 0].mean(axis=1)
    feet = project_to_pixels(np.stack([hips, np.zeros(len(t))], axis=1), camera, t)
    scale = params.depth_scale
    lift = (1.0 - scale) * 0.12 * camera.height_px
    return feet[:, None, :] + scale * (px - feet[:, None, :]) - np.array([0.0, lift])


@dataclass(frozen=True)
class CrowdClip:
    """A written multi-person clip.

    Attributes
    ----------
    video_path
        The H.264 MP4.
    truth
        The runner's ground truth (as a single-runner clip of the same parameters).
    bystanders_px
        Per bystander, ``(N, 33, 2)`` keypoint pixels.
    """

    video_path: Path
    truth: SyntheticTruth
    bystanders_px: tuple[FloatArray, ...]


def write_crowd_clip(
    params: RunnerParams,
    bystanders: list[BystanderParams],
    out_dir: Path,
    name: str,
    crf: int = DEFAULT_CRF,
) -> CrowdClip:
    """Render the runner of ``params`` with ``bystanders`` to ``<out_dir>/<name>.mp4``.

    Raises
    ------
    ValueError
        If ``name`` has characters other than letters, digits, ``-``, ``_``, ``.``.
    """
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", name):
        raise ValueError(f"name must use letters, digits, '-', '_' or '.', got {name!r}")
    truth = compute_truth(params)
    scene = build_scene(params)
    times = truth.frame_times_s
    placed = [project_bystander(b, compute_bystander_world(b, times), times, scene.camera)
              for b in bystanders]  # fmt: skip
    styles = [(compute_body_dimensions(b.height_m),
               View(scene.camera.scale_px_per_m * b.depth_scale, scene.camera.facing * b.facing),
               choose_appearance(b.seed, params.setting)) for b in bystanders]  # fmt: skip
    path = Path(out_dir) / f"{name}.mp4"
    with VideoWriter(path, params.frame_rate, crf=crf, reproducible=True) as writer:
        for i, (t, kp) in enumerate(zip(times, truth.keypoints_px, strict=True)):
            others = [OtherFigure(px[i], *style, b.in_front)
                      for px, style, b in zip(placed, styles, bystanders, strict=True)]  # fmt: skip
            writer.write(render_frame(kp, params, time_s=float(t), scene=scene, others=others))
    return CrowdClip(path, truth, tuple(placed))
