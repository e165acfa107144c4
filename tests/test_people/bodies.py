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


def walker_passing_in_front(seed, n=240, fps=60.0, height_px=400.0, runner_x=800.0,
                            crossing_s=1.9, speed=0.87, noise_px=3.0):  # fmt: skip
    """A walker passing in front of a runner on a treadmill, reported as MediaPipe does.

    Returns per frame the detections (with ``noise_px`` of landmark noise) and
    whose body each mostly is (0 the runner, 1 the walker), and the frame
    times. More than 0.7 body heights apart both are reported; closer, one of
    them (the runner in 15 % of the frames); within 0.3 body heights, one body
    that is partly each (30-90 % the walker's), as MediaPipe merges them.
    """
    rng = np.random.default_rng(seed)
    times = np.arange(n) / fps
    frames, whose = [], []
    for t in times:
        runner = make_body(runner_x, height_px, 2 * math.pi * 1.45 * t)
        walker_x = runner_x + speed * height_px * (crossing_s - t)
        walker = make_body(walker_x, 1.03 * height_px, 2 * math.pi * 0.9 * t, facing=-1)
        apart = abs(walker_x - runner_x) / height_px
        if apart > 0.7:
            people, who = [runner, walker], [0, 1]
        elif apart > 0.3:
            people, who = ([runner], [0]) if rng.random() < 0.15 else ([walker], [1])
        else:
            share = rng.uniform(0.3, 0.9)
            people, who = [share * walker + (1 - share) * runner], [int(share > 0.5)]
        frames.append(np.stack([p + rng.normal(0.0, noise_px, p.shape) for p in people]))
        whose.append(np.array(who))
    return frames, times, whose
