"""Honest verdicts: no invented changes, the right direction, symmetric."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runform.checkpoints.assess import build_analysis
from runform.checkpoints.rubric import load_rubric
from runform.cli import main
from runform.compare.comparison import compare, compare_analyses
from runform.compare.verdict import compute_mdc, judge_change, judge_checkpoint
from runform.gait.analyze import analyze_gait
from runform.io.poses import save_poses
from runform.synth import PRESETS, compute_truth
from runform.synth.truth_poses import create_truth_poses

WIDE = {"width_px": 1920, "height_px": 1080, "figure_height_frac": 0.42}
FLIP = {"improved": "regressed", "regressed": "improved"}


def analyse(name: str, noise_px: float = 0.0, seed: int = 0, **changes):
    params = (
        PRESETS[name].with_overrides(**{**WIDE, **changes})
        if "treadmill" not in name
        else PRESETS[name]
    )
    truth = compute_truth(params)
    poses = create_truth_poses(truth, noise_px=noise_px, seed=seed)
    return build_analysis(analyze_gait(poses, height_cm=175.0), load_rubric())


@pytest.fixture(scope="module")
def sessions():
    return {name: analyse(name) for name in ("pose_runner", "overstrider", "waist_bender")}


def test_a_session_against_itself_changes_nothing(sessions):
    result = compare(sessions["pose_runner"], sessions["pose_runner"])
    assert (
        result.summary["improved"] == result.summary["regressed"] == result.summary["changed"] == 0
    )
    assert all(c.delta in (0.0, None) for c in result.changes)


@pytest.mark.parametrize("fault", ["overstrider", "waist_bender"])
def test_fixing_a_fault_improves_exactly_the_checkpoints_that_got_better(sessions, fault):
    before, after = sessions[fault], sessions["pose_runner"]
    result = compare(before, after)
    improved = {c.id for c in result.by_verdict("improved") if c.kind == "checkpoint"}
    main_fault = {"overstrider": {"ball_of_foot_landing", "landing_under_gcm", "shank_at_contact"},
                  "waist_bender": {"waist_bend", "pose_alignment"}}[fault]  # fmt: skip
    assert improved >= main_fault
    assert not result.by_verdict("regressed")
    scores = {
        c.id: (c.score, d.score) for c, d in zip(before.checkpoints, after.checkpoints, strict=True)
    }
    for cid in improved:
        assert scores[cid][1] > scores[cid][0]
    unchanged = {cid for cid, (a, b) in scores.items() if a == b}
    assert not improved & unchanged


@pytest.mark.parametrize("fault", ["overstrider", "waist_bender"])
def test_swapping_the_sessions_flips_every_verdict(sessions, fault):
    forward = compare(sessions[fault], sessions["pose_runner"])
    backward = compare(sessions["pose_runner"], sessions[fault])
    for a, b in zip(forward.changes, backward.changes, strict=True):
        assert a.id == b.id
        assert b.verdict == FLIP.get(a.verdict, a.verdict)


def test_noise_alone_is_no_clear_change():
    a = analyse("treadmill", noise_px=2.0, seed=1)
    b = analyse("treadmill", noise_px=2.0, seed=2)
    result = compare(a, b)
    judged = [c for c in result.changes if c.verdict != "not_comparable"]
    steady = [c for c in judged if c.verdict == "no_clear_change"]
    assert len(steady) >= 0.95 * len(judged)


def test_running_against_a_drill_is_not_comparable(sessions):
    drill = sessions["pose_runner"].to_dict() | {"drill": {"name": "pony"}}
    result = compare_analyses(sessions["pose_runner"].to_dict(), drill)
    assert not result.comparable
    assert all(c.verdict == "not_comparable" for c in result.changes)
    assert "pony" in result.notes[0]


def test_a_different_setting_is_noted_and_the_fall_angle_not_compared(sessions):
    treadmill = sessions["pose_runner"].to_dict()
    other = json.loads(json.dumps(treadmill))
    other["capture"]["setting"] = "treadmill"
    result = compare_analyses(treadmill, other)
    assert any("setting" in n for n in result.notes)
    fall = next(c for c in result.changes if c.id == "fall_angle")
    assert fall.verdict == "not_comparable" and "setting" in fall.reason


@given(
    delta=st.floats(-100, 100),
    ua=st.floats(0, 10),
    ub=st.floats(0, 10),
    better=st.sampled_from([-1, 0, 1]),
)
def test_verdicts_are_antisymmetric_and_need_more_than_the_mdc(delta, ua, ub, better):
    mdc = compute_mdc(ua, ub)
    forward, backward = judge_change(delta, mdc, better), judge_change(-delta, mdc, better)
    assert backward == FLIP.get(forward, forward)
    if abs(delta) <= mdc:
        assert forward == "no_clear_change"
    assert judge_checkpoint(delta, mdc, 50.0, 50.0) == "no_clear_change"


def test_compare_command_on_analysis_folders(sessions, tmp_path, capsys):
    folders = []
    for name in ("overstrider", "pose_runner"):
        truth = compute_truth(PRESETS[name].with_overrides(**WIDE))
        path = tmp_path / f"{name}.nc"
        save_poses(create_truth_poses(truth), path)
        out = tmp_path / f"{name}-analysis"
        assert main(["analyze", str(path), "-o", str(out), "--height-cm", "175", "--quiet"]) == 0
        folders.append(out)
    out = tmp_path / "cmp"
    assert main(["compare", str(folders[0]), str(folders[1]), "-o", str(out)]) == 0
    data = json.loads((out / "comparison.json").read_text())
    verdicts = {c["id"]: c["verdict"] for c in data["changes"]}
    assert verdicts["shank_at_contact"] == "improved"
    html = (out / "comparison.html").read_text()
    assert html.index("What improved") < html.index("What to work on next")
    assert "improved" in capsys.readouterr().out
    assert (
        main(["compare", str(tmp_path / "absent"), str(folders[1]), "-o", str(tmp_path / "x")]) == 2
    )
