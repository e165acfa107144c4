"""The tracking shot: an overground runner filmed by a camera that pans to follow them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from runform.scene.phase_correlation import estimate_background_shift
from runform.skeleton import KEYPOINT_INDEX as K
from runform.synth import (
    PRESETS,
    build_scene,
    compute_truth,
    project_to_pixels,
    read_truth_json,
    render_frame,
)
from runform.synth import render as render_module
from runform.synth.background import sample_panorama


def tracking(**kw):
    size = {"width_px": kw.pop("width_px", 640), "height_px": kw.pop("height_px", 360)}
    return PRESETS["tracking_shot"].with_overrides(**size, **kw)


def pelvis_x(truth):
    return 0.5 * (
        truth.keypoints_px[:, K["left_hip"], 0] + truth.keypoints_px[:, K["right_hip"], 0]
    )


def test_tracking_preset():
    params = PRESETS["tracking_shot"]
    assert params.setting == "tracking"
    assert params.duration_s == 4.0
    assert params.frame_rate == 60
    base = PRESETS["pose_runner"]
    assert params.cadence_spm == base.cadence_spm and params.speed_mps == base.speed_mps


def test_runner_stays_near_the_frame_centre(preset_truths):
    truth = preset_truths["tracking_shot"]
    width = truth.params.width_px
    x = pelvis_x(truth)
    assert np.abs(x - width / 2).max() < 0.05 * width
    assert np.ptp(x) <= 2 * abs(truth.camera.jitter_px) + 1e-9
    assert np.ptp(x) > 0.005 * width  # the pan is not perfectly locked
    px = truth.keypoints_px
    assert px[..., 0].min() > 0 and px[..., 0].max() < width
    assert px[..., 1].min() > 0 and px[..., 1].max() < truth.params.height_px


def test_locked_camera_keeps_the_pelvis_fixed():
    truth = compute_truth(tracking(pan_jitter_frac=0.0))
    assert truth.camera.jitter_px == 0.0
    assert np.ptp(pelvis_x(truth)) < 1e-9


def test_world_motion_and_truth_equal_the_static_overground_shot():
    params = tracking(duration_s=2.0)
    track = compute_truth(params)
    ground = compute_truth(params.with_overrides(setting="overground"))
    np.testing.assert_array_equal(track.keypoints_world_m, ground.keypoints_world_m)
    assert track.contacts == ground.contacts
    assert track.summary == ground.summary
    for side in ("left", "right"):
        np.testing.assert_array_equal(track.stance[side], ground.stance[side])
    for name, values in ground.angles_deg.items():
        np.testing.assert_array_equal(track.angles_deg[name], values)
    # the pelvis advances at the running speed in the world
    pelvis = track.keypoints_world_m[:, K["left_hip"], 0]
    np.testing.assert_allclose(np.diff(pelvis) * float(track.fps), params.speed_mps)


def test_pixels_are_the_world_seen_by_the_panning_camera():
    truth = compute_truth(tracking(duration_s=1.0))
    cam = truth.camera
    assert cam.pan_px_per_s == pytest.approx(-truth.params.speed_mps * cam.scale_px_per_m)
    expected = project_to_pixels(truth.keypoints_world_m, cam, truth.frame_times_s)
    np.testing.assert_allclose(truth.keypoints_px, expected)
    i = 17
    single = project_to_pixels(truth.keypoints_world_m[i], cam, truth.frame_times_s[i])
    np.testing.assert_allclose(single, truth.keypoints_px[i])
    with pytest.raises(ValueError, match="time_s"):
        project_to_pixels(truth.keypoints_world_m, cam)
    # stance foot slides backwards in the image at the running speed
    toe = truth.keypoints_px[:, K["right_foot_index"], 0] - cam.origin_x_at(truth.frame_times_s)
    on = truth.stance["right"]
    steps = np.diff(toe)[on[1:] & on[:-1]]
    assert steps.size > 0


def test_direction_left_mirrors_right():
    right = compute_truth(tracking(duration_s=1.0))
    left = compute_truth(tracking(duration_s=1.0, direction="left"))
    w = right.params.width_px
    np.testing.assert_allclose(left.keypoints_px[..., 0], w - right.keypoints_px[..., 0], atol=1e-9)
    np.testing.assert_allclose(left.keypoints_px[..., 1], right.keypoints_px[..., 1], atol=1e-9)
    assert left.camera.pan_px_per_s == pytest.approx(-right.camera.pan_px_per_s)


def test_pan_error_is_deterministic_from_the_seed():
    a, b = compute_truth(tracking(duration_s=0.5)), compute_truth(tracking(duration_s=0.5))
    np.testing.assert_array_equal(a.keypoints_px, b.keypoints_px)
    c = compute_truth(tracking(duration_s=0.5, seed=21))
    assert (c.camera.jitter_hz, c.camera.jitter_phase_rad) != (
        a.camera.jitter_hz,
        a.camera.jitter_phase_rad,
    )
    np.testing.assert_array_equal(a.keypoints_world_m, c.keypoints_world_m)


def test_truth_json_round_trip_keeps_the_pan(tmp_path):
    truth = compute_truth(tracking(duration_s=0.5))
    back = read_truth_json(truth.to_json(tmp_path / "t.truth.json"))
    assert back.camera == truth.camera
    assert back.params == truth.params


def _shift_x(previous, current):
    """Phase-correlation shift (px, x right) of ``current`` relative to ``previous``."""
    # cv2.phaseCorrelate's centroid is biased up to 0.3 px on these fine textures
    dx, _dy = estimate_background_shift(previous, current, None)
    return dx


def _gray(frame):
    return frame.astype(np.float64).mean(axis=-1)


@pytest.mark.parametrize("seed", [9, 0, 11])  # road, park, track
def test_background_scrolls_backwards_at_the_running_speed(seed):
    params = tracking(duration_s=0.5, seed=seed)
    truth = compute_truth(params)
    scene = build_scene(params)
    cam = truth.camera
    ground = math.ceil(cam.ground_y_px + 0.08 * cam.scale_px_per_m)
    rows = slice(ground, params.height_px)  # ground texture below the feet and shadows
    frames = [
        _gray(render_frame(truth.keypoints_px[i], params, time_s=float(t), scene=scene))
        for i, t in enumerate(truth.frame_times_s[:6])
    ]
    fps = float(truth.fps)
    nominal = -params.speed_mps * cam.scale_px_per_m / fps
    for i in range(1, len(frames)):
        shift = _shift_x(frames[i - 1][rows], frames[i][rows])
        exact = float(cam.pan_offset_px(truth.frame_times_s[i]))
        exact -= float(cam.pan_offset_px(truth.frame_times_s[i - 1]))
        assert shift == pytest.approx(exact, abs=0.15)
        assert shift == pytest.approx(nominal, rel=0.15)
    # the scene left of the runner, above the ground (buildings or trees), moves too
    top = slice(0, int(cam.ground_y_px - 0.6 * cam.scale_px_per_m))
    left = slice(0, int(pelvis_x(truth).min() - 0.8 * cam.scale_px_per_m))
    shift = _shift_x(frames[0][top, left], frames[1][top, left])
    assert shift == pytest.approx(nominal, rel=0.15)


def test_background_window_moves_by_the_pan_offset():
    params = tracking(duration_s=0.5)
    scene = build_scene(params)
    later = 0.25
    a, b = scene.background_at(0.0), scene.background_at(later)
    offset = float(scene.camera.pan_offset_px(later))
    assert offset < -50  # panning right: the background moved left
    shift = _shift_x(_gray(a), _gray(b))
    assert shift == pytest.approx(offset, abs=0.1)
    # a whole-pixel pan moves the panorama window without interpolation
    left = scene.panorama_left_px
    np.testing.assert_array_equal(
        scene.background_at(0.0)[:, 3:],
        sample_panorama(scene.background, left + 3, params.width_px)[:, :-3],
    )


def test_static_settings_keep_a_static_background():
    for name in ("pose_runner", "treadmill"):
        params = PRESETS[name].with_overrides(width_px=160, height_px=90)
        scene = build_scene(params)
        assert scene.camera.is_static
        np.testing.assert_array_equal(scene.background_at(0.0), scene.background_at(1.3))
        assert scene.background.shape == (90, 160, 3)


def test_long_pans_reuse_a_mirrored_panorama(monkeypatch):
    monkeypatch.setattr(render_module, "_PANORAMA_MAX_PIXELS", 64 * 300)
    params = tracking(width_px=160, height_px=64, duration_s=3.0)
    scene = build_scene(params)
    assert scene.background.shape[1] == 300
    truth = compute_truth(params)
    last = truth.n_frames - 1
    frame = render_frame(
        truth.keypoints_px[last], params, time_s=float(truth.frame_times_s[last]), scene=scene
    )
    assert frame.shape == (64, 160, 3)
    a = scene.background_at(float(truth.frame_times_s[last - 1]))
    b = scene.background_at(float(truth.frame_times_s[last]))
    assert np.abs(a - b).mean() > 0.001
