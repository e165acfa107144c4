"""Exact synthetic poses (no MediaPipe) for fast gait tests."""

from __future__ import annotations

import pytest
import xarray as xr

from runform.synth import PRESETS, SyntheticTruth, compute_truth
from runform.synth.truth_poses import create_truth_poses


@pytest.fixture(scope="session")
def exact_cases() -> dict[str, tuple[xr.Dataset, SyntheticTruth]]:
    """Exact poses and truth for several presets, longer clips where overground."""
    wide = {"width_px": 1920, "height_px": 1080, "figure_height_frac": 0.42}
    params = {
        "pose_runner": PRESETS["pose_runner"].with_overrides(**wide),
        "pose_runner_left": PRESETS["pose_runner_left"].with_overrides(**wide),
        "heel_striker": PRESETS["heel_striker"].with_overrides(**wide),
        "treadmill": PRESETS["treadmill"],
        "treadmill_30": PRESETS["treadmill"].with_overrides(fps=30),
        "heel_striker_treadmill": PRESETS["heel_striker_treadmill"],
        "high_fps": PRESETS["high_fps"],
    }
    out = {}
    for name, p in params.items():
        truth = compute_truth(p)
        out[name] = (create_truth_poses(truth), truth)
    return out
