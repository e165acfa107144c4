"""Render frames of the synthetic runner (pixels live here and only here).

:func:`render_frame` draws one ``H×W×3`` ``uint8`` RGB frame from the 33
keypoint pixels of that frame: background, treadmill belt (moving at belt
speed), contact shadows and a shaded, clothed figure whose joint centres sit
exactly on the keypoints. The per-clip constants (camera, colours, static
background) are gathered in a :class:`Scene`; pass one to avoid rebuilding
it for every frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from runform.skeleton import KEYPOINT_INDEX
from runform.synth.appearance import Appearance, choose_appearance
from runform.synth.background import (
    draw_belt,
    draw_shadows,
    render_background,
)
from runform.synth.body import BodyDimensions
from runform.synth.camera import Camera
from runform.synth.figure import View, draw_runner
from runform.synth.gait import plan_gait
from runform.synth.kinematics import plan_camera
from runform.synth.params import RunnerParams
from runform.synth.truth import SyntheticTruth

__all__ = ["Scene", "build_scene", "render_frame", "render_frames"]


@dataclass(frozen=True, eq=False)
class Scene:
    """Everything constant over a clip's frames.

    Attributes
    ----------
    params
        Runner parameters.
    camera
        The side-view camera.
    body
        Segment lengths.
    appearance
        Colours.
    background
        Static background, ``H×W×3`` float32 RGB 0–1 (read-only).
    treadmill_pelvis_x_px
        Pelvis column on a treadmill (where the deck is drawn).
    """

    params: RunnerParams
    camera: Camera
    body: BodyDimensions
    appearance: Appearance
    background: NDArray[np.float32]
    treadmill_pelvis_x_px: float


def build_scene(params: RunnerParams) -> Scene:
    """Build the per-clip rendering constants.

    Parameters
    ----------
    params
        Runner parameters.

    Returns
    -------
    Scene
        Camera, colours and the pre-rendered static background.
    """
    plan = plan_gait(params)
    camera, _ = plan_camera(params, plan)
    look = choose_appearance(params.seed, params.setting)
    pelvis_x = camera.origin_x_px
    background = render_background(camera, look, params.seed, pelvis_x)
    background.flags.writeable = False
    return Scene(params, camera, plan.body, look, background, pelvis_x)


def render_frame(
    keypoints_px: ArrayLike,
    params: RunnerParams,
    *,
    time_s: float = 0.0,
    scene: Scene | None = None,
) -> NDArray[np.uint8]:
    """Draw one frame.

    Parameters
    ----------
    keypoints_px
        Shape ``(33, 2)``: keypoint pixels for this frame (x right, y down,
        MediaPipe order), e.g. ``truth.keypoints_px[i]``.
    params
        Runner parameters (frame size, setting, seed, body height).
    time_s
        Frame time; moves the treadmill belt markings.
    scene
        Pre-built :func:`build_scene` result for ``params`` (faster).

    Returns
    -------
    numpy.ndarray
        ``height_px × width_px × 3`` ``uint8`` RGB image.
    """
    sc = scene if scene is not None else build_scene(params)
    kp = np.asarray(keypoints_px, dtype=float)
    if kp.shape != (len(KEYPOINT_INDEX), 2):
        raise ValueError(f"expected keypoints of shape (33, 2), got {kp.shape}")
    canvas = sc.background.copy()
    cam = sc.camera
    pelvis_x = 0.5 * float(kp[KEYPOINT_INDEX["left_hip"], 0] + kp[KEYPOINT_INDEX["right_hip"], 0])
    if params.setting == "treadmill":
        draw_belt(canvas, cam, sc.treadmill_pelvis_x_px, params.speed_mps * time_s)
    feet = kp[[KEYPOINT_INDEX["left_ankle"], KEYPOINT_INDEX["right_ankle"]]]
    draw_shadows(canvas, cam, feet, pelvis_x)
    view = View(cam.scale_px_per_m, cam.facing)
    draw_runner(canvas, kp, sc.body, view, sc.appearance)
    return np.clip(canvas * 255.0 + 0.5, 0, 255).astype(np.uint8)


def render_frames(truth: SyntheticTruth) -> Iterator[NDArray[np.uint8]]:
    """Yield the frames of a clip one at a time (streaming).

    Parameters
    ----------
    truth
        Ground truth from :func:`runform.synth.kinematics.compute_truth`.

    Yields
    ------
    numpy.ndarray
        ``H×W×3`` ``uint8`` RGB frames in order.
    """
    scene = build_scene(truth.params)
    for t, kp in zip(truth.frame_times_s, truth.keypoints_px, strict=True):
        yield render_frame(kp, truth.params, time_s=float(t), scene=scene)
