from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from runform.skeleton import KEYPOINT_INDEX as K
from runform.synth import (
    PRESETS,
    compute_frame_times,
    compute_leg_pose,
    compute_truth,
    compute_world_keypoints,
    plan_gait,
    read_truth_json,
)
from runform.synth.geometry import compute_knee_flexion, solve_two_link

SIDES = ("left", "right")


def dense_times(params, strides=2.0, n=3000):
    plan = plan_gait(params)
    return plan, np.linspace(0.0, strides * plan.timing.stride_s, n)


def stance_intervals(plan, side, t_end):
    start = plan.first_contact_s + (plan.timing.step_s if side == "left" else 0.0)
    start -= plan.timing.stride_s * math.ceil(start / plan.timing.stride_s)
    out = []
    while start < t_end:
        out.append((start, start + plan.timing.contact_s))
        start += plan.timing.stride_s
    return out


@pytest.mark.parametrize("name", ["pose_runner", "heel_striker", "waist_bender"])
def test_overground_stance_foot_is_fixed_in_the_world(name):
    params = PRESETS[name]
    plan, t = dense_times(params)
    world = compute_world_keypoints(t, plan, params)
    flat = plan.stance.flat_s
    for side in SIDES:
        toe = world[:, K[f"{side}_foot_index"]]
        for t0, t1 in stance_intervals(plan, side, t[-1]):
            on = (t >= t0 + flat) & (t < t1) & (t >= 0)
            if on.sum() < 5:
                continue
            assert np.ptp(toe[on, 0]) < 1e-9
            assert np.ptp(toe[on, 1]) < 1e-9


def test_heel_strike_pivots_on_the_heel_until_foot_flat():
    params = PRESETS["heel_striker"]
    plan = plan_gait(params)
    tau = np.linspace(0.0, plan.stance.flat_s, 50)
    leg = compute_leg_pose(tau, plan)
    body = plan.body
    # the rear of the heel (heel landmark minus its height, rotated) stays put
    pivot_x = leg.ball[:, 0] - (body.heel_back_m + body.ball_forward_m) * np.cos(leg.foot_angle)
    world_x = pivot_x + params.speed_mps * tau
    assert np.ptp(world_x) < 1e-9
    assert np.all(leg.foot_angle >= 0)


def test_treadmill_stance_foot_moves_backwards_at_belt_speed():
    params = PRESETS["treadmill"]
    plan, t = dense_times(params)
    world = compute_world_keypoints(t, plan, params)
    pelvis = 0.5 * (world[:, K["left_hip"]] + world[:, K["right_hip"]])
    assert np.ptp(pelvis[:, 0]) < 1e-12
    for side in SIDES:
        toe = world[:, K[f"{side}_foot_index"]]
        for t0, t1 in stance_intervals(plan, side, t[-1]):
            on = (t >= t0 + plan.stance.flat_s) & (t < t1) & (t >= 0)
            if on.sum() < 5:
                continue
            slope = np.polyfit(t[on], toe[on, 0], 1)[0]
            assert slope == pytest.approx(-params.speed_mps, rel=1e-9)
            assert np.ptp(toe[on, 1]) < 1e-9


@pytest.mark.parametrize("name", list(PRESETS))
def test_segment_lengths_are_constant(name):
    params = PRESETS[name]
    plan, t = dense_times(params, n=1500)
    world = compute_world_keypoints(t, plan, params)
    body = plan.body
    for side in SIDES:
        p = {
            n: world[:, K[f"{side}_{n}"]]
            for n in ("hip", "knee", "ankle", "shoulder", "elbow", "wrist")
        }
        np.testing.assert_allclose(
            np.linalg.norm(p["knee"] - p["hip"], axis=1), body.thigh_m, atol=1e-9
        )
        np.testing.assert_allclose(
            np.linalg.norm(p["ankle"] - p["knee"], axis=1), body.shank_m, atol=1e-9
        )
        np.testing.assert_allclose(
            np.linalg.norm(p["elbow"] - p["shoulder"], axis=1), body.upper_arm_m, atol=1e-9
        )
        np.testing.assert_allclose(
            np.linalg.norm(p["wrist"] - p["elbow"], axis=1), body.forearm_m, atol=1e-9
        )


@pytest.mark.parametrize("name", list(PRESETS))
def test_feet_never_go_below_the_ground(name):
    params = PRESETS[name]
    plan, t = dense_times(params, n=4000)
    world = compute_world_keypoints(t, plan, params)
    for side in SIDES:
        leg = compute_leg_pose(t - plan.first_contact_s, plan)
        assert leg.ball[:, 1].min() > -1e-9
        for part in ("heel", "foot_index", "ankle"):
            assert world[:, K[f"{side}_{part}"], 1].min() > -1e-9


def test_knees_bend_forward():
    params = PRESETS["pose_runner"]
    plan, t = dense_times(params)
    world = compute_world_keypoints(t, plan, params)
    for side in SIDES:
        hip, knee, ankle = (world[:, K[f"{side}_{n}"]] for n in ("hip", "knee", "ankle"))
        a, b = ankle - hip, knee - hip
        cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
        assert np.all(cross >= -1e-12)  # knee on the forward side of hip→ankle


def test_two_link_solver_round_trip():
    hip = np.array([[0.0, 1.0], [0.1, 0.9]])
    ankle = np.array([[0.2, 0.2], [-0.3, 0.3]])
    knee = solve_two_link(hip, ankle, 0.45, 0.43)
    np.testing.assert_allclose(np.linalg.norm(knee - hip, axis=1), 0.45)
    np.testing.assert_allclose(np.linalg.norm(ankle - knee, axis=1), 0.43)
    with pytest.raises(ValueError, match="cannot reach"):
        solve_two_link(hip, hip + np.array([0.0, -2.0]), 0.45, 0.43)


@pytest.mark.parametrize("name", list(PRESETS))
def test_events_follow_cadence_and_duty_factor(name, preset_truths):
    truth = preset_truths[name]
    params = truth.params
    stride = 120.0 / params.cadence_spm
    contact = params.duty_factor * stride
    s = truth.summary
    assert s["stride_time_ms"] == pytest.approx(1000 * stride)
    assert s["step_time_ms"] == pytest.approx(500 * stride)
    assert s["contact_time_ms"] == pytest.approx(1000 * contact)
    assert s["flight_time_ms"] == pytest.approx(s["step_time_ms"] - s["contact_time_ms"])
    assert truth.flight_time_ms > 0
    for side in SIDES:
        ic = truth.contact_times_s(side)
        np.testing.assert_allclose(np.diff(ic), stride, atol=1e-12)
        to = truth.toe_off_times_s(side)
        paired = [t for t in to if t - contact >= 0]
        for t in paired:
            assert np.min(np.abs(ic - (t - contact))) < 1e-9 or t - contact < ic[0]
    # contacts alternate left/right, one step apart
    contacts = truth.contacts
    assert all(a.side != b.side for a, b in itertools.pairwise(contacts))
    times = np.array([c.time_s for c in contacts])
    np.testing.assert_allclose(np.diff(times), stride / 2, atol=1e-12)
    assert all(0 <= t < truth.n_frames / float(truth.fps) for t in times)


@pytest.mark.parametrize("name", list(PRESETS))
def test_contact_values_equal_the_parameters(name, preset_truths):
    truth = preset_truths[name]
    params = truth.params
    assert truth.contacts, "every preset clip contains contacts"
    for c in truth.contacts:
        assert c.knee_flexion_deg == pytest.approx(params.knee_flexion_at_contact_deg, abs=1e-6)
        assert c.overstride_cm == pytest.approx(params.overstride_cm, abs=1e-9)
        assert c.foot_angle_deg == pytest.approx(params.foot_angle_deg, abs=1e-9)
        if params.trunk_lean_deg is not None:
            assert c.trunk_lean_deg == pytest.approx(params.trunk_lean_deg, abs=1e-9)
        assert c.frame_float == pytest.approx(c.time_s * float(params.frame_rate))


def test_contact_point_is_on_the_ground_at_contact():
    for name in ("pose_runner", "heel_striker", "waist_bender"):
        params = PRESETS[name]
        plan = plan_gait(params)
        leg = compute_leg_pose(np.array([0.0]), plan)
        contact_x = params.overstride_cm / 100.0
        # the contact point lies between the heel pivot and the ball, on the ground
        heel_pivot = leg.ball[0, 0] - (plan.body.heel_back_m + plan.body.ball_forward_m) * math.cos(
            leg.foot_angle[0]
        )
        assert heel_pivot - 1e-9 <= contact_x <= leg.ball[0, 0] + 1e-9
        assert leg.in_stance[0]


def test_knee_flexion_at_contact_from_the_pixels(preset_truths):
    truth = preset_truths["heel_striker"]
    angle = truth.angles_deg["right_knee_flexion"]
    ic = truth.contact_times_s("right")[0]
    i = round(ic * float(truth.fps))
    # within one frame of the contact the knee angle is close to the parameter
    assert abs(angle[i] - truth.params.knee_flexion_at_contact_deg) < 6


def test_pelvis_is_lowest_at_mid_stance_and_oscillates_as_asked():
    params = PRESETS["pose_runner"]
    plan = plan_gait(params)
    t = np.linspace(0, plan.timing.stride_s, 20001)
    pelvis = compute_leg_pose(t, plan).hip[:, 1]
    assert np.ptp(pelvis) * 100 == pytest.approx(params.vertical_oscillation_cm, abs=1e-6)
    lowest = t[np.argmin(pelvis[: len(t) // 2])]
    assert lowest == pytest.approx(plan.timing.contact_s / 2, abs=1e-4)


def test_pull_height_and_position_match_parameters(preset_truths):
    for truth in preset_truths.values():
        s, p = truth.summary, truth.params
        assert s["pull_heel_peak_height_frac"] == pytest.approx(p.pull_height_frac, abs=0.004)
        assert s["pull_ankle_behind_pelvis_cm"] == pytest.approx(p.pull_behind_hip_cm, abs=0.3)


def test_waist_bend_preset_reports_the_requested_bend(preset_truths):
    s = preset_truths["waist_bender"].summary
    assert s["waist_bend_at_midstance_deg"] == pytest.approx(12.0, abs=1e-6)
    assert s["trunk_lean_deg"] > 12.0


def test_arms_swing_opposite_to_legs():
    params = PRESETS["pose_runner"]
    plan, t = dense_times(params, n=2000)
    world = compute_world_keypoints(t, plan, params)
    wrist_l = world[:, K["left_wrist"], 0] - world[:, K["left_shoulder"], 0]
    ankle_l = world[:, K["left_ankle"], 0] - world[:, K["left_hip"], 0]
    ankle_r = world[:, K["right_ankle"], 0] - world[:, K["right_hip"], 0]
    assert np.corrcoef(wrist_l, ankle_r)[0, 1] > 0.5
    assert np.corrcoef(wrist_l, ankle_l)[0, 1] < -0.5


def test_direction_left_mirrors_right():
    right = compute_truth(PRESETS["pose_runner"])
    left = compute_truth(PRESETS["pose_runner"].with_overrides(direction="left"))
    w = right.params.width_px
    np.testing.assert_allclose(left.keypoints_px[..., 0], w - right.keypoints_px[..., 0], atol=1e-9)
    np.testing.assert_allclose(left.keypoints_px[..., 1], right.keypoints_px[..., 1], atol=1e-9)
    np.testing.assert_allclose(left.keypoints_world_m, right.keypoints_world_m)
    assert (right.near_side, left.near_side) == ("right", "left")
    assert left.summary == right.summary


def test_frame_times_are_exact_for_fractional_fps():
    fps = Fraction(30000, 1001)
    times = compute_frame_times(fps, 2.0)
    assert times.size == math.ceil(2.0 * 30000 / 1001)
    for i in (0, 1, 7, 59):
        assert times[i] == float(Fraction(i) / fps)
    assert compute_frame_times(Fraction(60), 1.0).size == 60


def test_overground_runner_stays_in_frame_and_crosses(preset_truths):
    truth = preset_truths["pose_runner"]
    px = truth.keypoints_px
    assert px[..., 0].min() > 0 and px[..., 0].max() < truth.params.width_px
    assert px[..., 1].min() > 0 and px[..., 1].max() < truth.params.height_px
    pelvis = px[:, K["right_hip"], 0]
    assert pelvis[-1] - pelvis[0] > 0.4 * truth.params.width_px
    height_px = truth.body.height_m * truth.camera.scale_px_per_m
    assert 0.5 <= height_px / truth.params.height_px <= 0.6


def test_treadmill_runner_stays_centred(preset_truths):
    truth = preset_truths["treadmill"]
    pelvis = truth.keypoints_px[:, K["left_hip"], 0]
    assert np.ptp(pelvis) < 1e-9
    assert abs(pelvis[0] - truth.params.width_px / 2) < 0.1 * truth.params.width_px


def test_stance_masks_match_events(preset_truths):
    truth = preset_truths["treadmill"]
    for side in SIDES:
        mask = truth.stance[side]
        frac = mask.mean()
        assert frac == pytest.approx(truth.params.duty_factor, abs=0.05)


def test_per_frame_angles_are_consistent(preset_truths):
    truth = preset_truths["pose_runner"]
    w = truth.keypoints_world_m
    knee = np.degrees(
        compute_knee_flexion(w[:, K["left_hip"]], w[:, K["left_knee"]], w[:, K["left_ankle"]])
    )
    np.testing.assert_allclose(truth.angles_deg["left_knee_flexion"], knee)
    np.testing.assert_allclose(
        truth.angles_deg["trunk_lean"], truth.params.trunk_lean_deg, atol=1e-9
    )


def test_truth_json_round_trip(tmp_path, preset_truths):
    truth = preset_truths["ntsc_portrait"]
    path = truth.to_json(tmp_path / "t.truth.json")
    assert path.is_file()
    assert not list(tmp_path.glob(".*partial"))
    back = read_truth_json(path)
    assert back.params == truth.params
    assert back.fps == Fraction(30000, 1001)
    np.testing.assert_allclose(back.keypoints_px, truth.keypoints_px, atol=1e-4)
    np.testing.assert_array_equal(back.frame_times_s, truth.frame_times_s)
    assert back.contacts == truth.contacts
    assert back.summary == pytest.approx(truth.summary)
    for side in SIDES:
        np.testing.assert_array_equal(back.stance[side], truth.stance[side])
        np.testing.assert_array_equal(back.contact_times_s(side), truth.contact_times_s(side))


def test_json_keys_carry_units(preset_truths):
    data = preset_truths["pose_runner"].to_dict()
    for key in (
        "contact_time_ms",
        "flight_time_ms",
        "step_time_ms",
        "cadence_spm",
        "vertical_oscillation_cm",
    ):
        assert key in data["summary"]
    assert {"keypoints_px", "keypoints_world_m", "frame_times_s", "events_s"} <= set(data)


def test_read_truth_rejects_other_json(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="runform-synth-truth"):
        read_truth_json(path)
