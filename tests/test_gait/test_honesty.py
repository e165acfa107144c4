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
