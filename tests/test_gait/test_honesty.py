"""What cannot be measured is refused with a reason, not invented."""

from __future__ import annotations

from runform.gait.analyze import analyze_gait


def test_standing_person_is_no_gait(exact_cases):
    ds, _truth = exact_cases["treadmill"]
    frozen = ds.copy(deep=True)
    frozen["position"].values[:] = ds["position"].values[20]
    result = analyze_gait(frozen)
    assert result.capture.activity.label == "none"
    assert result.metrics["cadence_spm"].value is None
    assert "no gait" in result.metrics["cadence_spm"].reason


def test_short_clip_marks_stride_metrics_not_measurable(exact_cases):
    ds, _truth = exact_cases["treadmill"]
    short = ds.isel(time=slice(0, 40))  # 0.67 s: fewer than 2 strides
    metrics = analyze_gait(short).metrics
    assert metrics["ground_contact_ms"].value is None
    assert "fewer than 2" in metrics["ground_contact_ms"].reason


def test_nobody_detected_is_a_clear_error(exact_cases):
    import numpy as np
    import pytest

    from runform.errors import NoPersonDetectedError

    ds, _truth = exact_cases["treadmill"]
    empty = ds.copy(deep=True)
    empty["position"].values[:] = np.nan
    with pytest.raises(NoPersonDetectedError, match="nobody"):
        analyze_gait(empty)


def test_too_few_frames_is_a_clear_error(exact_cases):
    import pytest

    ds, _truth = exact_cases["treadmill"]
    with pytest.raises(ValueError, match="several frames"):
        analyze_gait(ds.isel(time=[0]))


def test_feet_out_of_frame_are_not_called_standing_still(exact_cases):
    ds, _truth = exact_cases["treadmill"]
    no_feet = ds.copy(deep=True)
    for name in ("heel", "foot_index", "ankle"):
        for side in ("left", "right"):
            no_feet["position"].loc[{"keypoint": f"{side}_{name}"}] = float("nan")
    result = analyze_gait(no_feet)
    assert result.metrics["cadence_spm"].value is None
    assert "feet" in result.metrics["cadence_spm"].reason
    assert "feet_not_visible" in {w.code for w in result.capture.warnings}


def test_unflagged_slow_motion_reads_slow_and_warns(exact_cases):
    # the same clip played 3x slower, as if --slowmo had been forgotten
    ds, truth = exact_cases["treadmill"]
    slowed = ds.assign_coords(time=ds.time * 3.0)
    result = analyze_gait(slowed)
    cadence = result.metrics["cadence_spm"].value
    # thresholds are in real-world units, so the slowed clip is measured less well
    assert abs(cadence - truth.cadence_spm / 3.0) < 0.05 * truth.cadence_spm / 3.0
    warning = next(w for w in result.capture.warnings if w.code == "possible_slow_motion")
    assert "--slowmo" in warning.message
