"""End to end on synthetic clips: real MediaPipe inference against exact truth."""

from __future__ import annotations

import numpy as np
import pytest

from runform.cli import main
from runform.io.poses import load_poses
from runform.skeleton import KEYPOINT_INDEX
from runform.synth import PRESETS, read_truth_json, write_synthetic_clip

BODY = [name for name in KEYPOINT_INDEX if KEYPOINT_INDEX[name] >= 11]  # shoulders down

CASES = {
    "pose_runner_60fps_right": PRESETS["pose_runner"].with_overrides(duration_s=2.0),
    "heel_striker_30fps_left": PRESETS["heel_striker"].with_overrides(
        duration_s=2.5, fps=30, direction="left"
    ),
    "treadmill_412px": PRESETS["treadmill"].with_overrides(
        duration_s=1.5, width_px=412, height_px=360
    ),
}


@pytest.fixture(scope="module", params=list(CASES))
def extracted(request, tmp_path_factory, pose_model):
    folder = tmp_path_factory.mktemp(request.param)
    clip = write_synthetic_clip(CASES[request.param], folder, name=request.param)
    assert main(["pose", str(clip.video_path), "-o", str(folder / "out"), "--quiet"]) == 0
    return load_poses(folder / "out" / "poses.nc"), read_truth_json(clip.truth_path)


def landmark_errors(ds, truth):
    estimated = ds.position.sel(individual="runner", keypoint=BODY).transpose(
        "time", "keypoint", "space"
    )
    expected = truth.keypoints_px[:, [KEYPOINT_INDEX[k] for k in BODY]]
    return np.linalg.norm(estimated.values - expected, axis=-1)  # (time, keypoint) px


def body_height_px(truth):
    return truth.params.body_height_cm / 100 * truth.camera.scale_px_per_m


def test_every_frame_is_read_with_exact_times(extracted):
    ds, truth = extracted
    assert ds.sizes["time"] == len(truth.frame_times_s)
    np.testing.assert_allclose(ds.time.values, truth.frame_times_s, atol=1e-6)


def runner_in_frame(truth):
    """Frames in which every body keypoint of the truth lies inside the image."""
    pts = truth.keypoints_px[:, [KEYPOINT_INDEX[k] for k in BODY]]
    inside_x = (pts[..., 0] >= 0) & (pts[..., 0] < truth.camera.width_px)
    inside_y = (pts[..., 1] >= 0) & (pts[..., 1] < truth.camera.height_px)
    return np.all(inside_x & inside_y, axis=1)


def test_detection_rate(extracted):
    ds, truth = extracted
    in_frame = runner_in_frame(truth)
    assert in_frame.sum() >= 0.5 * len(in_frame), "the clip should mostly show the runner"
    detected = ~np.isnan(ds.position.sel(keypoint="left_hip", space="x").values[:, 0])
    assert detected[in_frame].mean() >= 0.98


def test_median_landmark_error_under_3_percent_of_height(extracted):
    ds, truth = extracted
    errors = landmark_errors(ds, truth)[runner_in_frame(truth)]
    median = np.nanmedian(errors) / body_height_px(truth)
    assert median < 0.03, f"median landmark error {100 * median:.2f} % of body height"


def test_world_landmarks_are_metric(extracted):
    ds, truth = extracted
    world = ds.world_position.sel(individual="runner")
    shoulder = world.sel(keypoint="left_shoulder")
    ankle = world.sel(keypoint="left_ankle")
    span = float(
        np.nanmedian(
            np.linalg.norm((shoulder - ankle).transpose("time", "world_space").values, axis=1)
        )
    )
    # shoulder-to-ankle is about 0.62-0.7 of stature in adults; MediaPipe's
    # metric scale is approximate, so only the order of magnitude is checked
    assert 0.3 * truth.params.body_height_cm / 100 < span < 1.5 * truth.params.body_height_cm / 100
