"""Drills on exact synthetic keypoints: repetitions counted, good form passes, faults fail."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runform.checkpoints.assess import build_analysis
from runform.checkpoints.drill_measures import find_drill_reps
from runform.checkpoints.rubric import load_rubric
from runform.cli import main
from runform.gait.analyze import analyze_gait
from runform.io.poses import save_poses
from runform.synth.drill_params import DrillParams
from runform.synth.drills import compute_drill_truth, create_drill_poses

GOOD = {
    "pose_stance": {"rep_s": 3.0, "reps": 4},
    "pony": {"rep_s": 0.35, "reps": 10, "pull_height_frac": 0.2},
    "change_of_support": {"rep_s": 0.8, "pull_height_frac": 0.35},
    "foot_tap": {"rep_s": 0.8},
    "hamstring_pull": {"rep_s": 1.0, "pull_height_frac": 0.55},
    "wall_fall": {"rep_s": 1.6, "lean_deg": 15.0},
    "timber_fall": {"rep_s": 1.6, "lean_deg": 15.0},
    "front_lean": {"rep_s": 0.6, "lean_deg": 8.0},
}
#: One fault per drill and the checkpoint that must catch it.
FAULTS = {
    "pony": ({"pull_behind_cm": 25.0}, "change_under_hip", "fail"),
    "change_of_support": ({"pull_behind_cm": 25.0}, "change_under_hip", "fail"),
    "foot_tap": ({"tap_ahead_cm": 15.0, "support_knee_deg": 30.0}, "tap_under_hip", "fail"),
    "hamstring_pull": ({"thigh_back_deg": 30.0}, "hamstring_knee_under_hip", "fail"),
    "wall_fall": ({"waist_bend_deg": 20.0}, "fall_one_piece", "fail"),
    "timber_fall": ({"waist_bend_deg": 20.0}, "fall_one_piece", "fail"),
    "front_lean": ({"lean_deg": 25.0}, "front_lean_angle", "fail"),
    "pose_stance": (
        {"heel_raise_deg": 0.0, "support_knee_deg": 3.0},
        "stance_ball_of_foot",
        "warn",
    ),
}


def analyse(drill: str, **changes):
    truth = compute_drill_truth(DrillParams(drill, **{**GOOD[drill], **changes}))
    gait = analyze_gait(create_drill_poses(truth), height_cm=175.0)
    return truth, build_analysis(gait, load_rubric(), drill=drill)


@pytest.mark.parametrize("drill", sorted(GOOD))
def test_good_form_counts_every_rep_and_passes(drill):
    truth, analysis = analyse(drill)
    assert analysis.drill is not None
    assert len(analysis.drill.reps) == len(truth.reps)
    for rep, true in zip(analysis.drill.reps, truth.reps, strict=True):
        assert rep.start_s < true.end_s + 0.5 and rep.end_s > true.start_s - 0.5
    assert len(analysis.checkpoints) >= 2  # each drill has its own checkpoints
    assert all(c.status == "pass" for c in analysis.checkpoints), [
        (c.id, c.status, c.value) for c in analysis.checkpoints if c.status != "pass"
    ]
    assert len(analysis.drill.rep_scores) == len(truth.reps)  # not vacuously all 100
    assert all(score == pytest.approx(100.0) for score in analysis.drill.rep_scores)
    assert analysis.mode.kind == "drill"


@pytest.mark.parametrize("drill", sorted(FAULTS))
def test_a_fault_is_caught_by_its_checkpoint(drill):
    changes, checkpoint, worst = FAULTS[drill]
    truth, analysis = analyse(drill, **changes)
    assert analysis.drill is not None and len(analysis.drill.reps) == len(truth.reps)
    result = analysis.checkpoint(checkpoint)
    assert result.status in ((worst,) if worst == "fail" else ("warn", "fail"))
    if worst == "fail":
        assert analysis.focus[0].checkpoint == checkpoint
    scores = [score for score in analysis.drill.rep_scores if score is not None]
    assert len(scores) == len(truth.reps)  # every repetition scored: not vacuously below 100
    assert all(score < 100.0 for score in scores)


@settings(max_examples=6, deadline=None)
@given(
    reps=st.integers(2, 9),
    rep_s=st.floats(0.8, 1.6),
    drill=st.sampled_from(["hamstring_pull", "wall_fall"]),
)
def test_repetitions_are_counted_whatever_their_number_and_pace(reps, rep_s, drill):
    params = {**GOOD[drill], "reps": reps, "rep_s": rep_s}
    truth = compute_drill_truth(DrillParams(drill, **params))
    gait = analyze_gait(create_drill_poses(truth), height_cm=175.0)
    assert len(find_drill_reps(gait, drill)) == reps


def test_drill_json_and_cli(tmp_path, capsys):
    truth = compute_drill_truth(DrillParams("hamstring_pull", **GOOD["hamstring_pull"]))
    path = tmp_path / "drill.nc"
    save_poses(create_drill_poses(truth), path)
    out = tmp_path / "out"
    assert main(["analyze", str(path), "-o", str(out), "--drill", "hamstring_pull"]) == 0
    printed = capsys.readouterr().out
    assert "Drill: hamstring pull, 6 repetitions" in printed
    data = json.loads((out / "analysis.json").read_text())
    drill = data["drill"]
    assert drill["name"] == "hamstring_pull" and drill["reps"] == 6
    assert len(drill["rep_scores"]) == 6 and len(drill["per_rep"]) == 6
    assert {c["id"] for c in data["checkpoints"]} == {
        "hamstring_knee_under_hip",
        "hamstring_height",
    }
    assert data["mode"]["kind"] == "drill"


def test_an_unknown_drill_is_refused(tmp_path, capsys):
    truth = compute_drill_truth(DrillParams("pony", **GOOD["pony"]))
    path = tmp_path / "drill.nc"
    save_poses(create_drill_poses(truth), path)
    with pytest.raises(SystemExit):
        main(["analyze", str(path), "--drill", "burpee"])
    assert "invalid choice" in capsys.readouterr().err


def test_no_repetitions_says_so(exact_gaits):
    gait, _truth = exact_gaits["treadmill"]  # running, not a pose-stance hold
    analysis = build_analysis(gait, load_rubric(), drill="pose_stance")
    assert analysis.drill is not None and not analysis.drill.reps
    assert "no pose stance repetition" in analysis.drill.reason
    assert all(c.status == "not_measured" for c in analysis.checkpoints)
    assert "looks like running" in analysis.mode.reason


LOOKS_LIKE = {"pose_stance": "pose_stance", "pony": "pony", "wall_fall": "wall_fall",
              "timber_fall": "wall_fall", "front_lean": "front_lean"}  # fmt: skip


@pytest.mark.parametrize("drill", sorted(GOOD))
def test_without_drill_the_motion_says_in_place_drill(drill):
    truth = compute_drill_truth(DrillParams(drill, **GOOD[drill]))
    gait = analyze_gait(create_drill_poses(truth), height_cm=175.0)
    analysis = build_analysis(gait, load_rubric())
    assert analysis.mode.kind == "in_place_drill"
    assert "--drill" in analysis.mode.reason
    assert analysis.mode.likely_drill == LOOKS_LIKE.get(drill, analysis.mode.likely_drill)
    assert all(c.status == "not_measured" for c in analysis.checkpoints)
    assert analysis.focus == ()
