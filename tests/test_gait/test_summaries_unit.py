"""Stride summaries and their uncertainty on values whose answer is known by hand.

Covers the per-metric summary (:mod:`runform.gait.metrics`), the bootstrap
spread of per-stride means (:func:`runform.checkpoints.scoring.bootstrap_mean`)
and the minimal detectable change between sessions
(:func:`runform.compare.verdict.compute_mdc`).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from runform.checkpoints.rubric import Band
from runform.checkpoints.scoring import bootstrap_mean, combine_uncertainty, compute_floor
from runform.compare.verdict import compute_mdc, judge_change
from runform.gait.metrics import (
    Metric,
    compute_balance,
    compute_cadence,
    compute_contact_metrics,
    compute_vertical_oscillation,
    missing,
    summarise,
)
from runform.gait.strides import Stride


def stride(side: str, contact_ms: float, stride_ms: float = 700.0, confidence: float = 1.0):
    toe_off = contact_ms / 1000.0
    return Stride(side, 0.0, stride_ms / 1000, toe_off, contact_ms, stride_ms, 350.0,
                  350.0 - contact_ms, confidence)  # fmt: skip


# ---------------------------------------------------------------------------
# summarise: mean, SD, n, or the reason it is missing
# ---------------------------------------------------------------------------


def test_constant_values_have_zero_spread():
    metric = summarise([240.0] * 5, "ms")
    assert (metric.value, metric.sd, metric.n, metric.unit) == (240.0, 0.0, 5, "ms")
    assert metric.sem == 0.0 and metric.reason == ""


def test_known_spread_is_the_sample_sd():
    metric = summarise([1.0, 2.0, 3.0, 4.0], "deg")
    assert metric.value == pytest.approx(2.5)
    assert metric.sd == pytest.approx(math.sqrt(5.0 / 3.0))  # sum of squares 5, n - 1 = 3
    assert metric.sem == pytest.approx(math.sqrt(5.0 / 3.0) / 2.0)


def test_weighted_mean_and_reliability_weighted_sd():
    metric = summarise([0.0, 10.0], "ms", weights=[1.0, 3.0])
    assert metric.value == pytest.approx(7.5)
    # sum w (x - m)^2 = 56.25 + 18.75 = 75; V1 - V2 / V1 = 4 - 10 / 4 = 1.5
    assert metric.sd == pytest.approx(math.sqrt(50.0))
    assert metric.n == 2


def test_nan_and_zero_weight_values_are_left_out():
    metric = summarise([1.0, np.nan, 3.0, 1000.0, 5.0], "ms", weights=[1, 1, 1, 0, np.nan])
    assert (metric.value, metric.n) == (2.0, 2)
    assert metric.sd == pytest.approx(math.sqrt(2.0))


def test_too_few_values_is_missing_with_the_reason():
    one = summarise([7.0], "ms", min_n=2)
    assert one.value is None and one.sd is None and one.n == 0
    assert one.reason == "needs at least 2 measured values, got 1"
    none = summarise([np.nan, np.nan], "ms")
    assert none.value is None and none.reason == "needs at least 1 measured values, got 0"
    single = summarise([7.0], "ms")
    assert (single.value, single.sd, single.n) == (7.0, None, 1)
    assert single.sem is None  # no spread from one value


def test_missing_metric_serialises_with_its_reason():
    data = missing("spm", "no strides").to_dict()
    assert data == {"value": None, "sd": None, "n": 0, "unit": "spm", "reason": "no strides"}
    assert "reason" not in Metric(1.23456, 0.5, 3, "ms").to_dict()
    assert Metric(1.23456, 0.5, 3, "ms").to_dict()["value"] == 1.2346


# ---------------------------------------------------------------------------
# Running metrics from strides
# ---------------------------------------------------------------------------


def test_cadence_is_two_steps_per_stride():
    metric = compute_cadence(np.array([0.7, 0.7, 0.7]))
    assert metric.value == pytest.approx(120.0 / 0.7)
    assert metric.sd == pytest.approx(0.0) and metric.n == 3 and metric.unit == "spm"


def test_cadence_uses_the_mean_stride_time_not_the_mean_cadence():
    metric = compute_cadence(np.array([0.6, 0.8]))
    assert metric.value == pytest.approx(120.0 / 0.7)  # 171.4, not (200 + 150) / 2 = 175
    assert metric.sd == pytest.approx(math.sqrt(2.0) * 25.0)  # per-stride 200 and 150 spm
    weighted = compute_cadence(np.array([0.6, 0.8]), weights=np.array([3.0, 1.0]))
    assert weighted.value == pytest.approx(120.0 / 0.65)


def test_cadence_without_strides_is_missing():
    for times in (np.array([]), np.array([0.0, -0.5]), np.array([np.nan])):
        metric = compute_cadence(times)
        assert metric.value is None and metric.reason == "needs at least 1 complete stride, got 0"


def test_contact_metrics_are_confidence_weighted():
    strides = [stride("left", 200.0, confidence=1.0), stride("right", 300.0, confidence=0.25)]
    metrics = compute_contact_metrics(strides)
    assert metrics["ground_contact_ms"].value == pytest.approx(220.0)  # (200 + 0.25 * 300) / 1.25
    assert metrics["flight_ms"].value == pytest.approx(130.0)
    assert metrics["stride_ms"].value == pytest.approx(700.0)
    assert metrics["stride_ms"].sd == pytest.approx(0.0)
    assert metrics["duty_factor"].value == pytest.approx(220.0 / 700.0)
    assert {m.n for m in metrics.values()} == {2}


def test_contact_metrics_of_no_strides_are_missing():
    metrics = compute_contact_metrics([])
    assert set(metrics) == {"ground_contact_ms", "flight_ms", "step_ms", "stride_ms", "duty_factor"}
    assert all(m.value is None and "got 0" in m.reason for m in metrics.values())


def test_balance_is_the_left_share_of_contact_time():
    strides = [stride("left", 200.0), stride("right", 300.0), stride("left", 200.0)]
    metric = compute_balance(strides)
    assert metric.value == pytest.approx(40.0) and metric.n == 3 and metric.unit == "%"
    symmetric = compute_balance([stride("left", 250.0), stride("right", 250.0)])
    assert symmetric.value == pytest.approx(50.0)
    one_sided = compute_balance([stride("left", 250.0), stride("right", np.nan)])
    assert one_sided.value is None and one_sided.reason == "no timed contact of the right foot"


def test_vertical_oscillation_is_peak_to_peak_per_step():
    time = np.arange(0.0, 1.05, 0.05)  # 21 frames, 20 fps
    up = 3.0 * np.cos(2 * np.pi * time / 0.5)  # peak-to-peak 6 within each 0.5 s step
    values = compute_vertical_oscillation(up, time, np.array([0.0, 0.5, 1.0]))
    assert values == pytest.approx([6.0, 6.0])
    up[15] = np.nan  # a missing frame inside the second step
    spoiled = compute_vertical_oscillation(up, time, np.array([0.0, 0.5, 1.0]))
    assert spoiled[0] == pytest.approx(6.0) and math.isnan(spoiled[1])
    too_short = compute_vertical_oscillation(up, time, np.array([0.0, 0.06]))
    assert math.isnan(too_short[0])  # two frames cannot show a bounce
    assert compute_vertical_oscillation(up, time, np.array([0.0])).size == 0


# ---------------------------------------------------------------------------
# Bootstrap spread of the per-stride mean
# ---------------------------------------------------------------------------


def test_bootstrap_of_constant_values_has_zero_width():
    mean, sd, n = bootstrap_mean(np.full(6, 12.5), np.ones(6), 500, np.random.default_rng(0))
    assert (mean, n) == (12.5, 6)
    assert sd == pytest.approx(0.0, abs=1e-12)


def test_bootstrap_spread_of_a_known_sample():
    # resampling two values: means 0, 0.5, 1 with chances 1/4, 1/2, 1/4 -> SD sqrt(1/8)
    mean, sd, n = bootstrap_mean(np.array([0.0, 1.0]), np.ones(2), 20000, np.random.default_rng(7))
    assert (mean, n) == (0.5, 2)
    assert sd == pytest.approx(math.sqrt(0.125), rel=0.03)
    # in general: population SD / sqrt(n), here 1 / sqrt(5) for 1..5 over sqrt(5)
    values = np.arange(1.0, 6.0)
    _mean, sd5, _n = bootstrap_mean(values, np.ones(5), 20000, np.random.default_rng(7))
    assert sd5 == pytest.approx(values.std() / math.sqrt(5), rel=0.03)


def test_bootstrap_spread_scales_with_the_values():
    values = np.array([1.0, 4.0, 2.0, 8.0, 5.0])
    _m, sd, _n = bootstrap_mean(values, np.ones(5), 3000, np.random.default_rng(1))
    _m, sd10, _n = bootstrap_mean(10 * values, np.ones(5), 3000, np.random.default_rng(1))
    assert sd > 0 and sd10 == pytest.approx(10 * sd)


def test_bootstrap_with_one_stride_leaves_the_spread_to_the_floor():
    assert bootstrap_mean(np.array([np.nan, 3.0]), np.ones(2), 100, np.random.default_rng(0)) == (
        3.0,
        0.0,
        1,
    )
    mean, sd, n = bootstrap_mean(np.array([np.nan]), np.ones(1), 100, np.random.default_rng(0))
    assert math.isnan(mean) and math.isnan(sd) and n == 0
    mean, sd, n = bootstrap_mean(np.array([1.0, 2.0]), np.zeros(2), 100, np.random.default_rng(0))
    assert math.isnan(mean) and n == 0  # zero weights count as no strides


def test_bootstrap_is_seeded():
    values = np.array([3.0, 9.0, 4.0, 1.0, 7.0, 5.0])
    weights = np.array([1.0, 0.5, 1.0, 1.0, 0.5, 1.0])
    a = bootstrap_mean(values, weights, 1000, np.random.default_rng(42))
    b = bootstrap_mean(values, weights, 1000, np.random.default_rng(42))
    c = bootstrap_mean(values, weights, 1000, np.random.default_rng(43))
    assert a == b
    assert c[0] == a[0] and c[2] == a[2] == 6  # the mean does not depend on the draw
    assert c[1] != a[1] and c[1] == pytest.approx(a[1], rel=0.1)  # the spread does, a little
    assert a[0] == pytest.approx(float(np.average(values, weights=weights)))


def test_uncertainty_adds_the_floor_in_quadrature():
    band = Band("contact_to_pose_ms", (0.0, 100.0), 20.0, 60.0, floor=6.0, floor_frames=0.5)
    floor = compute_floor(band, 62.5)  # half a frame at 62.5 fps = 8 ms
    assert floor == pytest.approx(10.0)  # hypot(6, 8)
    assert combine_uncertainty(0.0, floor) == pytest.approx(10.0)
    assert combine_uncertainty(7.5, 10.0) == pytest.approx(12.5)
    assert compute_floor(band, 0.0) == pytest.approx(6.0)  # no frame rate, no frame floor


# ---------------------------------------------------------------------------
# Minimal detectable change between two sessions
# ---------------------------------------------------------------------------


def test_minimal_detectable_change_of_known_uncertainties():
    assert compute_mdc(3.0, 4.0) == pytest.approx(1.96 * 5.0)
    assert compute_mdc(0.0, 0.0) == 0.0
    assert compute_mdc(3.0, 4.0, z=1.0) == pytest.approx(5.0)


def test_a_change_exactly_at_the_mdc_is_not_clear():
    mdc = 9.8
    assert judge_change(9.8, mdc, +1) == "no_clear_change"
    assert judge_change(-9.8, mdc, +1) == "no_clear_change"
    assert judge_change(9.81, mdc, +1) == "improved"
    assert judge_change(9.81, mdc, -1) == "regressed"
    assert judge_change(-9.81, mdc, -1) == "improved"
    assert judge_change(9.81, mdc, 0) == "changed"
    assert judge_change(float("nan"), mdc, 1) == "not_comparable"


def test_a_negative_flight_time_is_not_reported_as_a_value() -> None:
    """Running contacts that overlap (a block start read as one long contact) give no flight."""
    from dataclasses import replace

    from runform.gait.analyze import analyze_gait
    from runform.gait.clip_metrics import _Context, _spatiotemporal
    from runform.gait.prepare import _position
    from runform.scene.scale import compute_leg_length_px, estimate_scale
    from runform.synth import PRESETS, compute_truth
    from runform.synth.truth_poses import create_truth_poses

    params = PRESETS["treadmill"].with_overrides(duration_s=3.0)
    gait = analyze_gait(create_truth_poses(compute_truth(params)), height_cm=175.0)
    position = _position(gait.poses)
    leg = compute_leg_length_px(position)
    time = np.asarray(gait.poses["time"], dtype=float)
    ctx = _Context(time, position, leg, estimate_scale(leg, 175.0), "side", "treadmill", "running")
    strides = list(gait.strides)
    assert len(strides) >= 2
    good = _spatiotemporal(ctx, list(gait.contacts), strides)["flight_ms"]
    assert good.value is not None and good.value > 0
    overlapping = [replace(s, flight_ms=-108.0) for s in strides]
    bad = _spatiotemporal(ctx, list(gait.contacts), overlapping)["flight_ms"]
    assert bad.value is None and "overlap" in bad.reason
