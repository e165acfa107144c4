"""Scores and statuses: the rules, and their properties (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from runform.checkpoints.rubric import Band
from runform.checkpoints.scoring import (
    bootstrap_mean,
    classify_status,
    combine_uncertainty,
    compute_floor,
    compute_score,
)

BAND = Band("x", (0.0, 10.0), warn=2.0, fail=6.0)
finite = st.floats(-1e3, 1e3, allow_nan=False)


@pytest.mark.parametrize(
    ("value", "score"),
    [(5.0, 100.0), (0.0, 100.0), (11.0, 75.0), (12.0, 50.0), (14.0, 25.0), (16.0, 0.0),
     (-2.0, 50.0), (99.0, 0.0)],
)  # fmt: skip
def test_score_is_piecewise_linear(value, score):
    assert compute_score(value, BAND) == pytest.approx(score)


@pytest.mark.parametrize(
    ("value", "uncertainty", "status"),
    [(5.0, 0.1, "pass"), (11.0, 0.1, "warn"), (13.0, 0.5, "fail"), (13.0, 1.5, "warn"),
     (-5.0, 1.0, "fail")],
)  # fmt: skip
def test_status(value, uncertainty, status):
    assert classify_status(value, BAND, uncertainty)[0] == status


def test_a_softened_fail_says_why():
    status, reason = classify_status(13.0, BAND, 1.5)
    assert status == "warn" and "uncertainty" in reason


@given(value=finite, uncertainty=st.floats(0, 100, allow_nan=False))
def test_a_margin_within_the_uncertainty_is_never_a_fail(value, uncertainty):
    status, _ = classify_status(value, BAND, uncertainty)
    low, high = BAND.target
    beyond_warn = max(low - value, value - high, 0.0) - BAND.warn
    if beyond_warn <= uncertainty:
        assert status != "fail"
    else:
        assert status == "fail"


@given(a=finite, b=finite)
def test_score_never_rises_moving_away_from_the_target(a, b):
    centre = 5.0
    near, far = sorted((a, b), key=lambda v: abs(v - centre))
    if (near - centre) * (far - centre) >= 0:  # same side of the centre
        assert compute_score(far, BAND) <= compute_score(near, BAND) + 1e-9
    assert 0.0 <= compute_score(a, BAND) <= 100.0


def test_bootstrap_is_repeatable_and_matches_the_standard_error():
    rng_values = np.random.default_rng(1).normal(10.0, 2.0, 40)
    weights = np.ones(40)
    one = bootstrap_mean(rng_values, weights, 4000, np.random.default_rng(0))
    two = bootstrap_mean(rng_values, weights, 4000, np.random.default_rng(0))
    assert one == two
    mean, sd, n = one
    assert n == 40 and mean == pytest.approx(rng_values.mean())
    assert sd == pytest.approx(rng_values.std(ddof=1) / np.sqrt(40), rel=0.15)


def test_bootstrap_ignores_nan_and_zero_weight_strides():
    values = np.array([1.0, np.nan, 3.0, 100.0])
    weights = np.array([1.0, 1.0, 1.0, 0.0])
    mean, _sd, n = bootstrap_mean(values, weights, 100, np.random.default_rng(0))
    assert (mean, n) == (2.0, 2)
    assert bootstrap_mean(np.array([np.nan]), np.ones(1), 10, np.random.default_rng(0))[2] == 0


def test_floors_combine_in_quadrature():
    band = Band("t_ms", (0.0, 90.0), 30.0, 90.0, floor=0.0, floor_frames=1.0)
    assert compute_floor(band, 50.0) == pytest.approx(20.0)
    assert combine_uncertainty(3.0, 4.0) == pytest.approx(5.0)
    assert combine_uncertainty(float("nan"), 4.0) == pytest.approx(4.0)
