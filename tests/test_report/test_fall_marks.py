"""The fall angle in the video is the scored one, and only where it is scored."""

from __future__ import annotations

import numpy as np
import pytest

from runform.checkpoints.assess import build_analysis
from runform.checkpoints.measures import build_body_frame, compute_fall_lean
from runform.checkpoints.rubric import load_rubric
from runform.gait.analyze import analyze_gait
from runform.synth import PRESETS, compute_truth
from runform.synth.truth_poses import create_truth_poses
from runform.viz.annotate import plan_frame_marks

WIDE = {"width_px": 1920, "height_px": 1080, "figure_height_frac": 0.42}


def _analysis(name: str, **overrides: object):  # type: ignore[no-untyped-def]
    params = PRESETS[name].with_overrides(**overrides)
    gait = analyze_gait(create_truth_poses(compute_truth(params)), height_cm=params.body_height_cm)
    return build_analysis(gait, load_rubric())


def test_the_video_draws_the_scored_fall_angle() -> None:
    analysis = _analysis("pose_runner", **WIDE)
    fall = analysis.checkpoint("fall_angle")
    assert fall.status == "pass"
    marks = plan_frame_marks(analysis)
    drawn = np.isfinite(marks.fall_deg)
    assert drawn.sum() >= 10
    body = build_body_frame(analysis.gait)
    leans = {side: compute_fall_lean(body, side) for side in ("left", "right")}
    # every drawn value is the support foot's scored lean in that frame
    for k in np.flatnonzero(drawn):
        assert min(abs(marks.fall_deg[k] - leans[s][k]) for s in leans) < 1e-9
    # and their mean is the scored value's neighbourhood (same window, same points)
    assert np.nanmean(marks.fall_deg) == pytest.approx(fall.value, abs=2.0)


def test_no_fall_angle_in_the_video_on_a_treadmill() -> None:
    analysis = _analysis("treadmill")
    assert analysis.checkpoint("fall_angle").status == "not_measured"
    assert not np.isfinite(plan_frame_marks(analysis).fall_deg).any()
