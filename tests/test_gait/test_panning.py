"""A fast run filmed by a camera that pans with the runner and overshoots: strides, no 'turn'.

Exact synthetic keypoints (no pose model) of a tracking shot whose pan lags
and overshoots by up to 10 % of the frame width, with the background's true
image motion as ``runform gait`` would measure it.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from runform.gait.analyze import analyze_gait
from runform.synth import PRESETS, compute_truth
from runform.synth.truth_poses import create_truth_poses


def _fast_run_pan():  # type: ignore[no-untyped-def]
    params = PRESETS["tracking_shot"].with_overrides(
        cadence_spm=190.0,
        speed_mps=3.4,
        duty_factor=0.27,
        duration_s=6.0,
        pan_jitter_frac=0.10,
        seed=3,
    )
    truth = compute_truth(params)
    poses = create_truth_poses(truth)
    time = np.asarray(poses["time"], dtype=float)
    velocity = truth.camera.pan_velocity_px_per_s(time)
    motion = xr.DataArray(
        np.column_stack([velocity, np.zeros_like(velocity)]),
        dims=("time", "space"),
        coords={"time": time, "space": ["x", "y"]},
    )
    return truth, poses, motion


def test_an_overshooting_pan_is_not_a_change_of_direction() -> None:
    truth, poses, motion = _fast_run_pan()
    gait = analyze_gait(poses, height_cm=truth.params.body_height_cm, camera_motion=motion)
    codes = {w.code for w in gait.capture.warnings}
    assert "direction_changes" not in codes
    assert gait.capture.setting.label == "tracking"
    assert gait.capture.activity.label == "running"
    assert len(gait.strides) >= 8
    cadence = gait.metrics["cadence_spm"].value
    assert cadence is not None and abs(cadence - truth.cadence_spm) / truth.cadence_spm < 0.02
