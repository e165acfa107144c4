"""Hypothesis property tests: invariants of the synthetic runner for random params."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from runform.skeleton import KEYPOINT_INDEX as K
from runform.synth import compute_leg_pose, compute_truth, compute_world_keypoints, plan_gait
from runform.synth.stance_motion import compute_stance_foot

from .strategies import runner_params

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


@SETTINGS
@given(runner_params())
def test_inverse_kinematics_preserves_segment_lengths(params):
    plan = plan_gait(params)
    t = np.linspace(0.0, 2.0 * plan.timing.stride_s, 701)
    world = compute_world_keypoints(t, plan, params)
    for side in ("left", "right"):
        hip, knee, ankle = (world[:, K[f"{side}_{n}"]] for n in ("hip", "knee", "ankle"))
        np.testing.assert_allclose(np.linalg.norm(knee - hip, axis=1), plan.body.thigh_m, atol=1e-9)
        np.testing.assert_allclose(
            np.linalg.norm(ankle - knee, axis=1), plan.body.shank_m, atol=1e-9
        )
        assert world[:, K[f"{side}_foot_index"], 1].min() > -1e-9
        assert world[:, K[f"{side}_heel"], 1].min() > -1e-9


@SETTINGS
@given(runner_params())
def test_events_alternate_and_match_duty_factor(params):
    truth = compute_truth(params)
    stride = 120.0 / params.cadence_spm
    assert truth.contact_time_ms == pytest.approx(1000.0 * params.duty_factor * stride)
    assert truth.flight_time_ms == pytest.approx(truth.step_time_ms - truth.contact_time_ms)
    sides = [c.side for c in truth.contacts]
    assert all(a != b for a, b in itertools.pairwise(sides))
    times = [c.time_s for c in truth.contacts]
    np.testing.assert_allclose(np.diff(times), stride / 2.0, atol=1e-9)
    for side in ("left", "right"):
        ic, to = truth.contact_times_s(side), truth.toe_off_times_s(side)
        # every toe-off follows a contact of the same foot by exactly the contact time
        for t in to:
            earlier = ic[ic < t]
            if earlier.size:
                assert t - earlier[-1] == pytest.approx(truth.contact_time_ms / 1000.0)


@SETTINGS
@given(runner_params())
def test_contact_geometry_matches_parameters(params):
    truth = compute_truth(params)
    for contact in truth.contacts:
        assert contact.knee_flexion_deg == pytest.approx(
            params.knee_flexion_at_contact_deg, abs=1e-6
        )
        assert contact.overstride_cm == pytest.approx(params.overstride_cm, abs=1e-9)
    assert truth.summary["vertical_oscillation_cm"] == pytest.approx(params.vertical_oscillation_cm)
    assert truth.summary["pull_heel_peak_height_frac"] == pytest.approx(
        params.pull_height_frac, abs=0.004
    )


@SETTINGS
@given(runner_params())
def test_stance_foot_rolls_without_slipping(params):
    plan = plan_gait(params)
    stance = plan.stance
    tau = np.linspace(stance.flat_s, stance.contact_s, 200)
    _, angle, ball = compute_stance_foot(tau, stance, plan.body)
    ground_x = ball[:, 0] + params.speed_mps * tau
    assert np.all(angle <= 1e-12)
    assert np.ptp(ground_x) < 1e-9
    assert np.ptp(ball[:, 1]) < 1e-9
    leg = compute_leg_pose(tau[:-1], plan)
    assert leg.in_stance.all()
