"""Gait analyses of the synthetic presets on exact keypoints (no MediaPipe)."""

from __future__ import annotations

import pytest

from runform.gait.analyze import analyze_gait
from runform.gait.result import GaitAnalysis
from runform.synth import PRESETS, SyntheticTruth, compute_truth
from runform.synth.truth_poses import create_truth_poses

WIDE = {"width_px": 1920, "height_px": 1080, "figure_height_frac": 0.42}
#: Good Pose running and one preset per fault, overground (wide frame).
CASES = ("pose_runner", "overstrider", "waist_bender", "low_pull", "low_cadence")


def analyse(params, setting: str = "auto") -> tuple[GaitAnalysis, SyntheticTruth]:
    """Exact poses of the preset through the gait engine, with the truth."""
    truth = compute_truth(params)
    poses = create_truth_poses(truth)
    return analyze_gait(poses, height_cm=params.body_height_cm, setting=setting), truth


@pytest.fixture(scope="session")
def exact_gaits() -> dict[str, tuple[GaitAnalysis, SyntheticTruth]]:
    """``{name: (gait, truth)}`` for :data:`CASES` overground plus treadmill and tracking."""
    out = {name: analyse(PRESETS[name].with_overrides(**WIDE)) for name in CASES}
    out["treadmill"] = analyse(PRESETS["treadmill"])
    # without the video there is no background motion to see the pan by
    out["tracking"] = analyse(PRESETS["tracking_shot"], setting="tracking")
    out["pose_runner_left"] = analyse(PRESETS["pose_runner_left"].with_overrides(**WIDE))
    return out
