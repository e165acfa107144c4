"""Stick bodies for the tracking and runner-choice tests (BlazePose order, px, y down)."""

from __future__ import annotations

import math

import numpy as np

from runform.synth.body import compute_body_dimensions
from runform.synth.drill_posture import pose_body


def make_body(x_px, height_px, phase=None, ground_px=700.0, facing=1):
    """One body's ``(33, 2)`` keypoints: standing, or running legs at ``phase`` (radians)."""
    body = compute_body_dimensions(1.75)
    if phase is None:
        legs = {"left": (0.05, 0.05, 0.0), "right": (-0.05, 0.05, 0.0)}
    else:
        legs = {side: (0.6 * math.sin(phase + (math.pi if side == "right" else 0.0)),
                       0.2 + 1.2 * max(0.0, math.sin(phase + (math.pi if side == "right" else 0.0)
                                                    + 1.9)) ** 2, 0.0)
                for side in ("left", "right")}  # fmt: skip
    world = pose_body(np.array([0.0, 0.9]), 0.1 if phase is not None else 0.0, legs, body)
    scale = height_px / 1.75
    return np.stack([x_px + facing * scale * world[:, 0], ground_px - scale * world[:, 1]], 1)


def runner_and_bystander(n=180, fps=60.0, runner_speed_px=0.0, stride_hz=1.45,
                         bystander_speed_px=0.0, bystander_x=300.0, runner_x=800.0):  # fmt: skip
    """Per frame, the two bodies (runner first) and the frame times."""
    times = np.arange(n) / fps
    frames = []
    for t in times:
        runner = make_body(runner_x + runner_speed_px * t, 400.0, 2 * math.pi * stride_hz * t)
        bystander = make_body(bystander_x + bystander_speed_px * t, 420.0, None, facing=-1)
        frames.append(np.stack([runner, bystander]))
    return frames, times
