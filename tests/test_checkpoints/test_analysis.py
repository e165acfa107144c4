"""The analysis.json contract, the mode, the baseline, and honest refusals."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from runform.checkpoints.assess import ANALYSIS_SCHEMA_VERSION, build_analysis
from runform.checkpoints.rubric import load_rubric
from runform.gait.analyze import analyze_gait
from runform.scene.view import Classified
from runform.synth import PRESETS, compute_truth
from test_gait.frontal import frontal_poses

CHECKPOINT_KEYS = {"id", "name", "element", "value", "unit", "uncertainty", "target", "score",
                   "status", "reason", "cue", "drills"}  # fmt: skip
GAIT_KEYS = {"capture", "events", "summary", "strides", "metrics"}


def test_analysis_json_holds_the_gait_fields_and_the_checkpoint_layer(exact_gaits):
    gait, _truth = exact_gaits["overstrider"]
    data = build_analysis(gait, load_rubric()).to_dict()
    text = json.dumps(data, allow_nan=False)
    back = json.loads(text)
    assert back["schema_version"] == ANALYSIS_SCHEMA_VERSION
    assert set(back) >= GAIT_KEYS
    for key in ("view", "direction", "setting", "activity", "warnings"):
        assert key in back["capture"]
    assert back["drill"] is None
    assert back["mode"]["kind"] == "running"
    assert set(back["profile"]) == {"pose", "fall", "pull", "landing", "timing", "cadence"}
    for entry in back["checkpoints"]:
        assert set(entry) >= CHECKPOINT_KEYS
        assert entry["status"] in ("pass", "warn", "fail", "not_measured", "observed")
        if entry["status"] == "not_measured":
            assert entry["reason"] and entry["value"] is None and entry["score"] is None
        elif entry["status"] == "observed":  # shown with its value, never scored
            assert entry["value"] is not None and entry["score"] is None and entry["reason"]
        else:
            assert entry["uncertainty"] > 0 and 0 <= entry["score"] <= 100
    assert 1 <= len(back["focus"]) <= 2
    for item in back["focus"]:
        assert str(round(abs(next(c["value"] for c in back["checkpoints"]
                                  if c["id"] == item["checkpoint"])))) in item["message"]  # fmt: skip
        assert item["drills"] and {"id", "name", "how"} <= set(item["drills"][0])


def test_timing_checkpoints_report_the_framing_counts(exact_gaits):
    gait, _truth = exact_gaits["pose_runner"]
    pull = build_analysis(gait, load_rubric()).checkpoint("pull_timing")
    assert pull.unit == "ms"
    assert pull.details["frames"] == pytest.approx(pull.value * gait.capture.fps / 1000)


def test_cadence_is_judged_against_the_runners_baseline(exact_gaits):
    gait, _truth = exact_gaits["pose_runner"]  # 180 spm
    plain = build_analysis(gait, load_rubric()).checkpoint("cadence")
    assert plain.status == "pass" and plain.target == (170.0, 200.0)
    faster_before = build_analysis(gait, load_rubric(), baseline={"cadence_spm": 192.0})
    cadence = faster_before.checkpoint("cadence")
    assert cadence.target[0] == pytest.approx(192.0 * 0.97)
    assert cadence.status in ("warn", "fail")
    assert cadence.details["baseline"] == 192.0
    assert "baseline" in faster_before.focus[0].message


@pytest.mark.parametrize("facing", ["front", "rear"])
def test_front_and_rear_views_score_cadence_and_refuse_sagittal_checkpoints(facing):
    truth = compute_truth(PRESETS["treadmill"])
    gait = analyze_gait(frontal_poses(truth, facing))
    analysis = build_analysis(gait, load_rubric())
    assert analysis.checkpoint("cadence").measured
    for cid in ("pose_alignment", "waist_bend", "landing_under_gcm", "pull_under_hip"):
        result = analysis.checkpoint(cid)
        assert result.status == "not_measured"
        assert "side view" in result.reason


@pytest.mark.parametrize("activity", ["walking", "in_place_drill", "none"])
def test_other_activities_are_not_scored_as_running(exact_gaits, activity):
    gait, _truth = exact_gaits["pose_runner"]
    other = replace(gait, capture=replace(gait.capture, activity=Classified(activity, 0.9, {})))
    analysis = build_analysis(other, load_rubric())
    assert analysis.mode.kind == activity
    assert all(r.status == "not_measured" for r in analysis.checkpoints)
    assert all(activity.replace("_", " ") in r.reason for r in analysis.checkpoints)
    assert analysis.focus == ()


def test_an_uncertain_activity_says_it_cannot_tell(exact_gaits):
    gait, _truth = exact_gaits["pose_runner"]
    unsure = replace(gait, capture=replace(gait.capture, activity=Classified("running", 0.4, {})))
    mode = build_analysis(unsure, load_rubric()).mode
    assert mode.kind == "unknown" and "cannot tell" in mode.reason


def test_results_are_read_only(exact_gaits):
    analysis = build_analysis(exact_gaits["pose_runner"][0], load_rubric())
    with pytest.raises(AttributeError):
        analysis.focus = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        analysis.profile["pose"]["score"] = 0  # type: ignore[index]
    with pytest.raises(TypeError):
        analysis.checkpoints[0].details["x"] = 1  # type: ignore[index]


def test_slow_motion_refuses_the_time_based_checkpoints(exact_gaits):
    from runform.scene.quality import CaptureWarning

    gait, _truth = exact_gaits["pose_runner"]
    slow = CaptureWarning("possible_slow_motion", "a foot stays down 0.5 s: slowed ~2.5x?")
    clip = replace(gait, capture=replace(gait.capture, warnings=(slow,)))
    analysis = build_analysis(clip, load_rubric())
    for cid in ("cadence", "landing_to_pose", "pull_timing"):
        result = analysis.checkpoint(cid)
        assert result.status == "not_measured" and "--slowmo" in result.reason
    assert analysis.checkpoint("waist_bend").measured


def test_too_few_strides_are_not_scored(exact_gaits):
    gait, _truth = exact_gaits["pose_runner"]
    short = replace(gait, strides=gait.strides[:1])
    analysis = build_analysis(short, load_rubric())
    assert all(r.status == "not_measured" for r in analysis.checkpoints)
    assert "at least 2 strides" in analysis.checkpoints[0].reason


@pytest.mark.parametrize("facing", ["front", "rear"])
def test_arm_crossing_is_scored_from_the_front_and_rear(facing):
    truth = compute_truth(PRESETS["treadmill"])
    poses = frontal_poses(truth, facing)
    rubric = load_rubric()
    clean = build_analysis(analyze_gait(poses), rubric).checkpoint("arm_crossing")
    assert clean.status == "pass" and clean.value > 0
    crossed = poses.copy(deep=True)
    x = crossed["position"].sel(space="x")
    centre = 0.5 * (x.sel(keypoint="left_shoulder") + x.sel(keypoint="right_shoulder"))
    for wrist in ("left_wrist", "right_wrist"):
        own = x.sel(keypoint=wrist)
        mirrored = (2 * centre - own).values  # the wrist swung across the midline
        index = list(crossed["keypoint"].values).index(wrist)
        crossed["position"].values[:, 0, index] = mirrored
    result = build_analysis(analyze_gait(crossed), rubric).checkpoint("arm_crossing")
    assert result.status == "fail" and result.value < 0
    side = build_analysis(analyze_gait(poses), rubric).checkpoint("arm_carriage")
    assert side.status == "not_measured" and "side view" in side.reason


def test_nothing_is_scored_when_the_pose_model_lost_the_legs(exact_gaits):
    """The plausibility gate's verdict reaches every checkpoint, with its reason."""
    from runform.scene.quality import CaptureWarning

    gait, _truth = exact_gaits["pose_runner"]
    message = "the pose model lost the runner's legs in 40 % of frames"
    warned = replace(
        gait,
        capture=replace(
            gait.capture,
            warnings=(*gait.capture.warnings, CaptureWarning("pose_unreliable", message)),
        ),
    )
    analysis = build_analysis(warned, load_rubric())
    assert all(r.status == "not_measured" and r.reason == message for r in analysis.checkpoints)
    assert not analysis.focus or all(f.status not in ("fail", "warn") for f in analysis.focus)
