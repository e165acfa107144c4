"""Each faulty preset fails its own checkpoints and only those (exact keypoints).

The synthetic runner's presets: good Pose running, and one fault each:
overstriding heel strike, bent at the waist, low pull, low cadence.
"""

from __future__ import annotations

import pytest

from runform.checkpoints.assess import build_analysis
from runform.checkpoints.rubric import load_rubric

#: Checkpoints that must fail for each fault. An overstride also delays the
#: Pose and leaves no fall from the support point, which the Pose Method
#: counts as part of the same fault.
EXPECTED_FAIL = {
    "pose_runner": set(),
    "overstrider": {
        "ball_of_foot_landing",
        "landing_under_gcm",
        "shank_at_contact",
        "landing_to_pose",
        "fall_angle",
    },
    "waist_bender": {"waist_bend", "pose_alignment"},
    "low_pull": {"pull_height"},  # pull_under_hip is an observation (rubric)
    "low_cadence": {"cadence"},
}
#: Checkpoints that must fail at least these (the first is the main one).
MUST_FAIL = {
    "overstrider": {"ball_of_foot_landing", "landing_under_gcm", "shank_at_contact"},
    "waist_bender": {"waist_bend"},
    "low_pull": {"pull_height"},
    "low_cadence": {"cadence"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED_FAIL))
def test_fault_fails_its_checkpoints_and_nothing_else(exact_gaits, name):
    gait, _truth = exact_gaits[name]
    analysis = build_analysis(gait, load_rubric())
    failing = {r.id for r in analysis.checkpoints if r.status == "fail"}
    assert failing >= MUST_FAIL.get(name, set())
    assert failing <= EXPECTED_FAIL[name], f"unexpected fails: {failing - EXPECTED_FAIL[name]}"
    others = [
        r
        for r in analysis.checkpoints
        if r.id not in EXPECTED_FAIL[name] and r.id != "arm_crossing"
    ]
    assert analysis.checkpoint("arm_crossing").reason.endswith("this clip is a side view")
    assert all(r.status in ("pass", "warn", "observed") for r in others), [
        (r.id, r.status, r.reason) for r in others if r.status not in ("pass", "warn", "observed")
    ]


@pytest.mark.parametrize("name", sorted(MUST_FAIL))
def test_focus_names_the_fault_and_its_drills(exact_gaits, name):
    gait, _truth = exact_gaits[name]
    rubric = load_rubric()
    analysis = build_analysis(gait, rubric)
    assert 1 <= len(analysis.focus) <= 2
    assert analysis.focus[0].checkpoint in EXPECTED_FAIL[name]
    for item in analysis.focus:
        assert item.drills, item.checkpoint
        assert all(d["id"] in rubric.drills for d in item.drills)
        assert "Next step" in item.message


def test_good_runner_gets_a_refinement_not_a_failure(exact_gaits):
    gait, _truth = exact_gaits["pose_runner"]
    analysis = build_analysis(gait, load_rubric())
    assert all(
        r.status == ("observed" if r.id == "pull_under_hip" else "pass")
        for r in analysis.checkpoints
        if r.id != "arm_crossing"
    )
    assert len(analysis.focus) <= 1
    assert all(f.status == "pass" for f in analysis.focus)


@pytest.mark.parametrize("setting", ["treadmill", "tracking"])
def test_fall_angle_is_not_measured_without_a_fixed_ground(exact_gaits, setting):
    gait, _truth = exact_gaits[setting]
    assert gait.capture.setting.label == setting
    analysis = build_analysis(gait, load_rubric())
    fall = analysis.checkpoint("fall_angle")
    assert fall.status == "not_measured" and fall.value is None
    assert fall.reason
    if setting == "treadmill":
        assert "treadmill" in fall.reason
    # the rest is still scored: the missing lean is not penalised
    assert analysis.checkpoint("waist_bend").status == "pass"
    assert analysis.profile["fall"]["score"] == 100.0


def test_left_and_right_runners_score_the_same(exact_gaits):
    right = build_analysis(exact_gaits["pose_runner"][0], load_rubric())
    left = build_analysis(exact_gaits["pose_runner_left"][0], load_rubric())
    # all measured but arm_crossing (front and rear views), so values are compared,
    # not None with None
    measured = [a.id for a in right.checkpoints if a.value is not None]
    assert len(measured) == len(right.checkpoints) - 1 and "arm_crossing" not in measured
    for a, b in zip(right.checkpoints, left.checkpoints, strict=True):
        assert a.status == b.status
        assert a.value == pytest.approx(b.value, abs=0.02 * max(1.0, abs(b.value or 0.0)))
