"""Render frames of the synthetic runner (pixels live here and only here).

:func:`render_frame` draws one ``H×W×3`` ``uint8`` RGB frame from the 33
keypoint pixels of that frame: background, treadmill belt (moving at belt
speed), contact shadows and a shaded, clothed figure whose joint centres sit
exactly on the keypoints. The per-clip constants (camera, colours, static
background, or for a tracking shot a background panorama the camera pans
across) are gathered in a :class:`Scene`; pass one to avoid rebuilding it
for every frame.

:func:`render_frames` also applies the footage effects of the parameters'
:class:`~runform.synth.style.FootageStyle` that act on whole frames: motion
blur (the mean of sub-frame renders spread over the exposure, centred on the
frame time), the camera tilt and lens warp (the truth's keypoint pixels go
through the same warp) and the light. With the default style it draws
exactly what :func:`render_frame` draws.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from runform.skeleton import KEYPOINT_INDEX
from runform.synth.appearance import Appearance, choose_appearance
from runform.synth.background import (
    draw_belt,
    draw_shadows,
    render_background,
    sample_panorama,
)
from runform.synth.body import BodyDimensions
from runform.synth.camera import Camera, project_to_pixels
from runform.synth.figure import View, draw_runner
from runform.synth.gait import plan_gait
from runform.synth.gait_plan import GaitPlan
from runform.synth.kinematics import compute_frame_times, compute_world_keypoints, plan_camera
from runform.synth.optics import ImageWarp, apply_light, build_warp
from runform.synth.params import RunnerParams
from runform.synth.truth import SyntheticTruth

__all__ = ["OtherFigure", "Scene", "build_scene", "render_frame", "render_frames"]

#: Largest background panorama of a tracking shot, pixels (H×P); wider pans
#: reuse it mirrored.
_PANORAMA_MAX_PIXELS = 6_000_000


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
        Static background, ``H×W×3`` float32 RGB 0–1 (read-only); for a
        panning camera a wider ``H×P×3`` panorama.
    treadmill_pelvis_x_px
        Pelvis column on a treadmill (where the deck is drawn).
    panorama_left_px
        Panning camera: panorama column shown at the frame's first column at
        ``t = 0``; 0 for a static camera.
    plan
        The gait plan (for sub-frame keypoints under motion blur).
    warp
        The style's tilt and lens warp, or ``None``.
    """

    params: RunnerParams
    camera: Camera
    body: BodyDimensions
    appearance: Appearance
    background: NDArray[np.float32]
    treadmill_pelvis_x_px: float
    panorama_left_px: float = 0.0
    plan: GaitPlan | None = None
    warp: ImageWarp | None = None

    def background_at(self, time_s: float) -> NDArray[np.float32]:
        """Return the background seen at ``time_s`` (a new ``H×W×3`` float32 array).

        Parameters
        ----------
        time_s
            Clip time, seconds.

        Returns
        -------
        numpy.ndarray
            A copy of the static background, or for a panning camera the
            window of the panorama it sees: world-fixed content sits
            ``camera.pan_offset_px(time_s)`` pixels (image ``x``) from where
            it was at ``t = 0``.
        """
        if self.camera.is_static:
            return self.background.copy()
        left = self.panorama_left_px - float(self.camera.pan_offset_px(time_s))
        return sample_panorama(self.background, left, self.camera.width_px)


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
    camera, duration = plan_camera(params, plan)
    look = choose_appearance(params.seed, params.setting, params.style)
    pelvis_x = camera.origin_x_px
    left = 0.0
    if camera.is_static:
        background = render_background(camera, look, params.seed, pelvis_x)
    else:
        offsets = camera.pan_offset_px(compute_frame_times(params.frame_rate, duration))
        width, left = _panorama_extent(camera, offsets)
        wide = dataclasses.replace(camera, width_px=width)
        background = render_background(wide, look, params.seed, pelvis_x)
    background.flags.writeable = False
    warp = build_warp(params.style, params.width_px, params.height_px)
    return Scene(params, camera, plan.body, look, background, pelvis_x, left, plan, warp)


def _panorama_extent(camera: Camera, offsets_px: NDArray[np.float64]) -> tuple[int, float]:
    """Width of a panning camera's panorama and its column at the frame's left edge at t=0.

    Frame column ``u`` at a time with pan offset ``d`` shows panorama column
    ``u + left - d``; the panorama covers every frame of the clip (plus one
    column for interpolation) unless that exceeds ``_PANORAMA_MAX_PIXELS``.
    """
    high = max(float(offsets_px.max()), 0.0)
    low = min(float(offsets_px.min()), 0.0)
    left = float(math.ceil(high))
    needed = camera.width_px + math.ceil(left - low) + 2
    cap = max(camera.width_px + 2, _PANORAMA_MAX_PIXELS // camera.height_px)
    return min(needed, cap), left


@dataclass(frozen=True)
class OtherFigure:
    """Another person drawn in one frame (a bystander), behind or in front of the runner.

    Attributes
    ----------
    keypoints_px
        ``(33, 2)`` keypoint pixels of this frame.
    body
        Their segment lengths.
    view
        Their pixel scale and the way they face on screen.
    look
        Their colours.
    in_front
        Drawn over the runner (nearer the camera) rather than behind.
    """

    keypoints_px: NDArray[np.float64]
    body: BodyDimensions
    view: View
    look: Appearance
    in_front: bool = False


def render_frame(
    keypoints_px: ArrayLike,
    params: RunnerParams,
    *,
    time_s: float = 0.0,
    scene: Scene | None = None,
    others: Sequence[OtherFigure] = (),
) -> NDArray[np.uint8]:
    """Draw one frame.

    Parameters
    ----------
    keypoints_px
        Shape ``(33, 2)``: keypoint pixels for this frame (x right, y down,
        MediaPipe order), e.g. ``truth.keypoints_px[i]``, in the ideal
        camera's image: before any tilt or lens warp of the style, which
        (with motion blur and light) only :func:`render_frames` applies.
    params
        Runner parameters (frame size, setting, seed, body height).
    time_s
        Frame time, seconds; moves the treadmill belt markings, and for a
        tracking shot the background under the panning camera.
    scene
        Pre-built :func:`build_scene` result for ``params`` (faster).
    others
        Other people in the frame (see :class:`OtherFigure`).

    Returns
    -------
    numpy.ndarray
        ``height_px × width_px × 3`` ``uint8`` RGB image.
    """
    sc = scene if scene is not None else build_scene(params)
    canvas = _draw_canvas(keypoints_px, params, time_s, sc, others)
    return np.clip(canvas * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _draw_canvas(
    keypoints_px: ArrayLike,
    params: RunnerParams,
    time_s: float,
    sc: Scene,
    others: Sequence[OtherFigure] = (),
) -> NDArray[np.float32]:
    """Draw one ideal-camera frame as float32 RGB 0–1 (see :func:`render_frame`)."""
    kp = np.asarray(keypoints_px, dtype=float)
    if kp.shape != (len(KEYPOINT_INDEX), 2):
        raise ValueError(f"expected keypoints of shape (33, 2), got {kp.shape}")
    canvas = sc.background_at(time_s)
    cam = sc.camera
    pelvis_x = 0.5 * float(kp[KEYPOINT_INDEX["left_hip"], 0] + kp[KEYPOINT_INDEX["right_hip"], 0])
    if params.setting == "treadmill":
        look = sc.appearance
        draw_belt(
            canvas,
            cam,
            sc.treadmill_pelvis_x_px,
            params.speed_mps * time_s,
            color=look.belt,
            mark_color=look.belt_mark,
            period_m=look.belt_period_m,
        )
    feet = kp[[KEYPOINT_INDEX["left_ankle"], KEYPOINT_INDEX["right_ankle"]]]
    draw_shadows(canvas, cam, feet, pelvis_x)
    view = View(cam.scale_px_per_m, cam.facing)
    for other in (o for o in others if not o.in_front):
        draw_runner(canvas, other.keypoints_px, other.body, other.view, other.look)
    draw_runner(canvas, kp, sc.body, view, sc.appearance)
    for other in (o for o in others if o.in_front):
        draw_runner(canvas, other.keypoints_px, other.body, other.view, other.look)
    return canvas


def render_frames(truth: SyntheticTruth) -> Iterator[NDArray[np.uint8]]:
    """Yield the frames of a clip one at a time (streaming).

    Parameters
    ----------
    truth
        Ground truth from :func:`runform.synth.ground_truth.compute_truth`.

    Yields
    ------
    numpy.ndarray
        ``H×W×3`` ``uint8`` RGB frames in order, with the style's motion
        blur, tilt and lens warp and light applied.
    """
    params = truth.params
    scene = build_scene(params)
    style = params.style
    if scene.warp is None and not style.has_light and not style.has_blur:
        for t, kp in zip(truth.frame_times_s, truth.keypoints_px, strict=True):
            yield render_frame(kp, params, time_s=float(t), scene=scene)
        return
    times = truth.frame_times_s
    ideal = project_to_pixels(truth.keypoints_world_m, scene.camera, times)
    for t, kp in zip(times, ideal, strict=True):
        if style.has_blur:
            canvas = _blurred_canvas(float(t), scene)
        else:
            canvas = _draw_canvas(kp, params, float(t), scene)
        if scene.warp is not None:
            canvas = scene.warp.warp(canvas)
        apply_light(canvas, style)
        yield np.clip(canvas * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _blurred_canvas(time_s: float, scene: Scene) -> NDArray[np.float32]:
    """Mean of sub-frame renders over the exposure centred on ``time_s``.

    The exposure lasts ``shutter_frac / fps`` seconds; ``blur_samples``
    renders sit at the centres of equal parts of it.
    """
    params, plan = scene.params, scene.plan
    assert plan is not None
    style = params.style
    exposure = style.shutter_frac / float(params.frame_rate)
    k = style.blur_samples
    sub = time_s + exposure * ((np.arange(k) + 0.5) / k - 0.5)
    world = compute_world_keypoints(sub, plan, params)
    pixels = project_to_pixels(world, scene.camera, sub)
    total = np.zeros((params.height_px, params.width_px, 3), np.float32)
    for t, kp in zip(sub, pixels, strict=True):
        total += _draw_canvas(kp, params, float(t), scene)
    total /= np.float32(k)
    return total
