from __future__ import annotations

import numpy as np
import pytest

from runform.skeleton import KEYPOINT_INDEX as K
from runform.skeleton import KEYPOINT_NAMES
from runform.synth import PRESETS, build_scene, compute_truth, render_frame, render_frames

BODY_POINTS = [
    n for n in KEYPOINT_NAMES[11:] if not any(part in n for part in ("pinky", "index", "thumb"))
] + ["left_eye", "right_ear", "mouth_left"]


def small(name: str, **kw):
    return PRESETS[name].with_overrides(
        width_px=kw.pop("width_px", 321), height_px=kw.pop("height_px", 241), **kw
    )


@pytest.mark.parametrize(("width", "height"), [(412, 732), (411, 731), (321, 241), (97, 65)])
def test_frame_shape_and_dtype(width, height):
    params = small("treadmill", width_px=width, height_px=height)
    truth = compute_truth(params)
    frame = render_frame(truth.keypoints_px[0], params)
    assert frame.shape == (height, width, 3)
    assert frame.dtype == np.uint8


@pytest.mark.parametrize(
    "name", ["pose_runner", "heel_striker", "treadmill", "pose_runner_left", "waist_bender"]
)
def test_figure_is_drawn_where_the_keypoints_are(name):
    params = small(name, width_px=640, height_px=360)
    truth = compute_truth(params)
    scene = build_scene(params)
    background = np.round(scene.background * 255).astype(int)
    for i in (0, truth.n_frames // 2, truth.n_frames - 1):
        frame = render_frame(
            truth.keypoints_px[i], params, time_s=float(truth.frame_times_s[i]), scene=scene
        )
        for kp in BODY_POINTS:
            x, y = (int(v) for v in np.floor(truth.keypoints_px[i, K[kp]]))
            near = (slice(y - 1, y + 2), slice(x - 1, x + 2))
            diff = np.abs(frame[near].astype(int) - background[near]).sum(axis=-1)
            assert diff.max() > 20, f"{name} frame {i}: nothing drawn at {kp}"


def test_figure_height_matches_body_height_in_pixels():
    params = small("treadmill", width_px=640, height_px=360)
    truth = compute_truth(params)
    scene = build_scene(params)
    frame = render_frame(truth.keypoints_px[0], params, scene=scene).astype(int)
    background = np.round(scene.background * 255).astype(int)
    changed = np.abs(frame - background).sum(axis=2) > 30
    rows = np.nonzero(changed.any(axis=1))[0]
    height_px = truth.body.height_m * truth.camera.scale_px_per_m
    drawn = rows.max() - rows.min()
    assert 0.8 * height_px < drawn < 1.15 * height_px


def test_rendering_is_deterministic_and_seed_changes_the_look():
    params = small("pose_runner")
    truth = compute_truth(params)
    kp = truth.keypoints_px[3]
    a = render_frame(kp, params)
    b = render_frame(kp, params)
    np.testing.assert_array_equal(a, b)
    other = render_frame(kp, params.with_overrides(seed=11))
    assert np.abs(a.astype(int) - other).mean() > 1.0


def test_treadmill_belt_moves_with_time():
    params = small("treadmill", width_px=640, height_px=360)
    truth = compute_truth(params)
    scene = build_scene(params)
    kp = truth.keypoints_px[0]
    a = render_frame(kp, params, time_s=0.0, scene=scene)
    b = render_frame(kp, params, time_s=0.05, scene=scene)
    ground = int(truth.camera.ground_y_px)
    belt_rows = slice(ground, ground + 3)
    assert np.abs(a[belt_rows].astype(int) - b[belt_rows]).sum() > 0
    np.testing.assert_array_equal(a[: ground - 250], b[: ground - 250])


def test_render_frames_streams_every_frame():
    params = small("slow_fps", duration_s=0.2, width_px=160, height_px=97)
    truth = compute_truth(params)
    frames = render_frames(truth)
    first = next(frames)
    assert first.shape == (97, 160, 3)
    assert 1 + sum(1 for _ in frames) == truth.n_frames


def test_render_frame_rejects_wrong_keypoint_shape():
    params = small("pose_runner")
    with pytest.raises(ValueError, match=r"\(33, 2\)"):
        render_frame(np.zeros((17, 2)), params)
