"""The gait stage on real footage (internal clips, never committed).

Skipped cleanly when ../shared/videos is absent. What is checked is what is
known about each clip (see ../shared/videos/README.md) and what was checked
by eye on its frames; where the truth is unknown only the labels and the
absence of crashes are asserted.
"""

from __future__ import annotations

import json

import pytest

from runform.cli import main

pytestmark = [pytest.mark.realclips, pytest.mark.slow]

EXPECTED = {
    # clip: (view, direction, setting, activity)
    "run03_side_treadmill_male_lab_360p.mp4": ("side", "right", "treadmill", "running"),
    "run05_side_outdoor_street_female_1080p50.mp4": ("side", "right", "overground", "running"),
    "run15_rear_snow_path_receding.mp4": ("rear", "away", "overground", "running"),
    "walk01_side_indoor_female_walking.mp4": ("side", "left", "overground", "walking"),
}


def analyse(real_clip, tmp_path, name):
    video = real_clip(name)
    out = tmp_path / "gait"
    assert main(["gait", str(video), "-o", str(out), "--quiet"]) == 0
    return json.loads((out / "gait.json").read_text())


@pytest.mark.parametrize("name", list(EXPECTED))
def test_capture_labels(real_clip, pose_model, tmp_path, name):
    capture = analyse(real_clip, tmp_path, name)["capture"]
    found = (capture["view"], capture["direction"], capture["setting"], capture["activity"])
    assert found == EXPECTED[name]


def test_rear_view_refuses_sagittal_angles_but_counts_steps(real_clip, pose_model, tmp_path):
    result = analyse(real_clip, tmp_path, "run15_rear_snow_path_receding.mp4")
    assert result["summary"]["cadence_spm"] is not None
    assert result["summary"]["knee_flexion_at_contact_deg"] is None
    assert "side view" in result["metrics"]["knee_flexion_at_contact_deg"]["reason"]
    assert "non_sagittal_view" in {w["code"] for w in result["capture"]["warnings"]}


def test_walker_who_turns_is_cut_to_one_direction(real_clip, pose_model, tmp_path):
    result = analyse(real_clip, tmp_path, "walk01_side_indoor_female_walking.mp4")
    codes = {w["code"] for w in result["capture"]["warnings"]}
    assert "direction_changes" in codes
    assert result["summary"]["flight_ms"] is None  # walking has no flight


def test_slow_motion_street_clip_is_flagged(real_clip, pose_model, tmp_path):
    # Checked by eye: a foot stays down ~26 frames (0.5 s) at 50 fps, so the clip
    # is slowed about 2.5x; as played the cadence is ~70 steps/min.
    result = analyse(real_clip, tmp_path, "run05_side_outdoor_street_female_1080p50.mp4")
    assert "possible_slow_motion" in {w["code"] for w in result["capture"]["warnings"]}


def test_short_clip_refuses_stride_metrics(real_clip, pose_model, tmp_path):
    result = analyse(real_clip, tmp_path, "run07_side_outdoor_grass_female_short.mp4")
    metric = result["metrics"]["ground_contact_ms"]
    assert metric["value"] is None and "fewer than 2" in metric["reason"]


def test_block_start_does_not_crash(real_clip, pose_model, tmp_path):
    result = analyse(real_clip, tmp_path, "sprint01_side_block_start_athleteA.mp4")
    assert result["capture"]["view"] == "side"
    assert result["capture"]["direction"] == "right"
