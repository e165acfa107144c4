"""Drills through real MediaPipe inference on rendered synthetic performers.

Every repetition is counted, good form passes, and a fault fails its
checkpoint. Small clips (3-6 reps) to keep the suite quick.
"""

from __future__ import annotations

import json

import pytest

from runform.cli import main
from runform.synth.drill_params import DrillParams
from runform.synth.drills import write_drill_clip

pytestmark = pytest.mark.slow

CASES = {
    # name: (drill, params, checkpoint that must fail or None for good form)
    "pose_stance_good": ("pose_stance", {"rep_s": 3.0, "reps": 3}, None),
    "pony_good": ("pony", {"rep_s": 0.35, "reps": 10, "pull_height_frac": 0.2}, None),
    "pony_behind": (
        "pony",
        {"rep_s": 0.35, "reps": 10, "pull_height_frac": 0.2, "pull_behind_cm": 25.0},
        "change_under_hip",
    ),
    "hamstring_back": (
        "hamstring_pull",
        {"rep_s": 1.0, "reps": 4, "pull_height_frac": 0.55, "thigh_back_deg": 30.0},
        "hamstring_knee_under_hip",
    ),
    "wall_fall_bent": (
        "wall_fall",
        {"rep_s": 1.6, "reps": 4, "lean_deg": 15.0, "waist_bend_deg": 20.0},
        "fall_one_piece",
    ),
    "change_good": ("change_of_support", {"rep_s": 0.8, "pull_height_frac": 0.35}, None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_drill_through_mediapipe(tmp_path, name):
    drill, params, fault = CASES[name]
    video, truth = write_drill_clip(DrillParams(drill, seed=3, **params), tmp_path, name)
    out = tmp_path / "out"
    args = [
        "analyze",
        str(video),
        "-o",
        str(out),
        "--drill",
        drill,
        "--quiet",
        "--height-cm",
        "175",
    ]
    assert main(args) == 0
    data = json.loads((out / "analysis.json").read_text())
    assert data["drill"]["reps"] == len(truth.reps)
    status = {c["id"]: c["status"] for c in data["checkpoints"]}
    if fault is None:
        assert all(v == "pass" for v in status.values()), status
    else:
        assert status[fault] == "fail"
        assert data["focus"][0]["checkpoint"] == fault
