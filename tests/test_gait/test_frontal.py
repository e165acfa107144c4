"""Front and rear views: what they can measure, and the refusals for the rest."""

from __future__ import annotations

import numpy as np
import pytest

from runform.gait.analyze import analyze_gait
from runform.synth import PRESETS, compute_truth

from .frontal import frontal_poses


@pytest.fixture(scope="module")
def truths():
    return {
        "treadmill": compute_truth(PRESETS["treadmill"]),
        "overground": compute_truth(PRESETS["pose_runner"].with_overrides(duration_s=3.0)),
    }


@pytest.mark.parametrize("facing", ["front", "rear"])
@pytest.mark.parametrize("setting", ["treadmill", "overground"])
def test_frontal_views_measure_cadence_and_refuse_angles(truths, facing, setting):
    truth = truths[setting]
    result = analyze_gait(frontal_poses(truth, facing))
    capture = result.capture
    assert capture.view.label == facing
    assert capture.direction.label == ("toward" if facing == "front" else "away")
    assert capture.setting.label == setting
    assert capture.activity.label == "running"
    cadence = result.metrics["cadence_spm"].value
    assert cadence == pytest.approx(truth.cadence_spm, rel=0.02)
    assert result.metrics["knee_flexion_at_contact_deg"].value is None
    assert "side view" in result.metrics["knee_flexion_at_contact_deg"].reason
    assert "non_sagittal_view" in {w.code for w in capture.warnings}
    contact = result.metrics["ground_contact_ms"].value
    assert contact is not None
    if facing == "rear":
        assert abs(contact - truth.contact_time_ms) < 60
    # Seen from the front, a foot swinging toward the camera drops in the image
    # (perspective) as if landing: contact times are off by 75-90 ms here, a known
    # gap (docs/accuracy.md); the warning says they are approximate.
    assert (
        "approximate" in next(w for w in capture.warnings if w.code == "non_sagittal_view").message
    )
    landings = [e for e in result.events if e.type == "initial_contact"]
    true_landings = sum(truth.events_s[side]["initial_contact"].size for side in ("left", "right"))
    assert len(landings) == true_landings  # every landing found, so the check below bites
    assert np.isfinite([e.time_s for e in result.events]).all()
