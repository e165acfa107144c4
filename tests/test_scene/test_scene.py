"""Capture understanding: view, direction, setting, activity, scale and quality."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from runform.scene.quality import QualityInputs, check_capture_quality
from runform.scene.scale import compute_leg_length_px, estimate_scale
from runform.scene.setting import (
    ActivityEvidence,
    MotionEvidence,
    classify_activity,
    classify_setting,
)
from runform.scene.view import classify_view
from runform.skeleton import KEYPOINT_NAMES
from runform.synth import PRESETS, compute_truth


def side_position() -> xr.DataArray:
    truth = compute_truth(PRESETS["treadmill"].with_overrides(duration_s=1.0))
    return xr.DataArray(
        truth.keypoints_px.transpose(0, 2, 1),
        dims=("time", "space", "keypoint"),
        coords={"time": truth.frame_times_s, "space": ["x", "y"], "keypoint": list(KEYPOINT_NAMES)},
    )


def widen(position: xr.DataArray, half_width: float) -> xr.DataArray:
    """Turn a side view into a frontal one: spread left and right apart in x."""
    out = position.copy()
    for name in KEYPOINT_NAMES:
        if name.startswith("left_"):
            out.loc[{"keypoint": name, "space": "x"}] += half_width
        elif name.startswith("right_"):
            out.loc[{"keypoint": name, "space": "x"}] -= half_width
    return out


def test_view_side_front_rear_oblique():
    position = side_position()
    torso = 0.29 * 175 * 2.2  # about the torso length in px of this preset
    assert classify_view(position).label == "side"
    assert classify_view(widen(position, 0.4 * torso)).label == "front"
    assert classify_view(widen(position, -0.4 * torso)).label == "rear"
    assert classify_view(widen(position, 0.17 * torso)).label == "oblique"


def test_leg_length_and_scale():
    truth = compute_truth(PRESETS["treadmill"].with_overrides(duration_s=1.0))
    leg = compute_leg_length_px(side_position())
    expected_px = 0.491 * truth.params.body_height_cm / 100 * truth.camera.scale_px_per_m
    assert np.median(leg) == pytest.approx(expected_px, rel=0.03)
    scale = estimate_scale(leg, truth.params.body_height_cm)
    assert scale.px_per_m == pytest.approx(truth.camera.scale_px_per_m, rel=0.03)
    assert estimate_scale(leg).px_per_m is None
    with pytest.raises(ValueError, match="50-250"):
        estimate_scale(leg, 20.0)


@pytest.mark.parametrize(
    ("view", "motion", "expected"),
    [
        ("side", MotionEvidence(3.0, 0.05, 0.0), "overground"),
        ("side", MotionEvidence(0.02, 3.0, 0.0), "treadmill"),
        ("side", MotionEvidence(0.02, 3.0, 0.0, camera_speed=3.0), "tracking"),
        ("side", MotionEvidence(1.5, 1.5, 0.0), "tracking"),
        ("rear", MotionEvidence(0.1, 0.0, -0.2), "overground"),
        ("front", MotionEvidence(0.0, 0.0, 0.0), "treadmill"),
    ],
)
def test_setting(view, motion, expected):
    assert classify_setting(view, motion).label == expected


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (ActivityEvidence(12, 0.32, 0.8, 1.0), "running"),
        (ActivityEvidence(12, 0.62, 0.6, 0.8), "walking"),
        (ActivityEvidence(12, 0.35, 0.02, 0.9), "in_place_drill"),
        (ActivityEvidence(0, float("nan"), float("nan"), 0.02), "none"),
    ],
)
def test_activity(evidence, expected):
    assert classify_activity(evidence).label == expected


def test_quality_warnings():
    good = QualityInputs(60, 1080, 700, 8, 0.9, 1.0, "side")
    assert check_capture_quality(good) == []
    bad = QualityInputs(30, 1080, 100, 1, 0.3, 0.5, "rear")
    codes = {w.code for w in check_capture_quality(bad)}
    assert codes == {
        "low_fps",
        "runner_small",
        "few_strides",
        "low_confidence",
        "non_sagittal_view",
    }


def test_slow_motion_warning_for_implausibly_slow_running():
    slow = QualityInputs(60, 1080, 700, 8, 0.9, 1.0, "side", "running", 70.0)
    warning = next(w for w in check_capture_quality(slow) if w.code == "possible_slow_motion")
    assert "--slowmo" in warning.message and "2.4" in warning.message
    walking = QualityInputs(60, 1080, 700, 8, 0.9, 1.0, "side", "walking", 100.0)
    assert "possible_slow_motion" not in {w.code for w in check_capture_quality(walking)}


def test_a_panning_camera_that_overshoots_is_not_a_turn() -> None:
    """Runner going right at 3 m/s, camera following with a drifting lag."""
    from runform.scene.travel import find_travel_segments, remove_camera_pan

    time = np.arange(0, 6, 1 / 30)
    world = 300.0 * time  # px of a static view
    pan = 300.0 * time + 150 * np.sin(2 * np.pi * time / 3)  # camera centre, overshooting
    hip_image = 640 + world - pan
    background_velocity = -np.gradient(pan, time)  # content moves against the pan
    assert len({s.sign for s in find_travel_segments(time, hip_image, 100.0)}) == 2
    ground = remove_camera_pan(time, hip_image, time, background_velocity)
    segments = find_travel_segments(time, ground, 100.0)
    assert {s.sign for s in segments} == {1}
