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

This module computes, renders and writes a drill clip; the parameters and
truth are in :mod:`runform.synth.drill_params`, the keyframes of each drill
in :mod:`runform.synth.drill_plans`, and the postures and their animation in
:mod:`runform.synth.drill_posture`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from runform.skeleton import KEYPOINT_INDEX
from runform.synth.body import compute_body_dimensions
from runform.synth.camera import project_to_pixels
from runform.synth.drill_params import DrillParams, DrillTruth
from runform.synth.drill_plans import plan_drill
from runform.synth.drill_posture import animate
from runform.synth.figure import View, draw_runner
from runform.synth.kinematics import compute_frame_times
from runform.synth.render import build_scene, draw_shadows


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
    with VideoWriter(path, params.to_runner_params(1.0).frame_rate, reproducible=True) as writer:
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
