"""Accuracy through real MediaPipe inference on rendered synthetic runners.

Targets (issue 3): cadence error <= 1 %, median IC/TO error <= 1 frame at
60 fps, contact time within 15 ms, knee flexion at contact within 5 deg,
trunk lean within 3 deg. Cases that do not meet them yet are marked
``xfail(strict=True)`` with the measured gap, so a fix shows up as XPASS.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from runform.cli import main
from runform.synth import PRESETS, read_truth_json, write_synthetic_clip

pytestmark = pytest.mark.slow

CASES = {
    "treadmill_right_60": PRESETS["treadmill"].with_overrides(duration_s=3.0),
    "treadmill_right_30": PRESETS["treadmill"].with_overrides(fps=30, seed=13),
    "tracking_right_60": PRESETS["tracking_shot"].with_overrides(duration_s=3.0),
    "pose_runner_right_60": PRESETS["pose_runner"].with_overrides(
        width_px=1920, height_px=1080, figure_height_frac=0.42
    ),
}
KNOWN_GAPS = {
    "treadmill_left_60": (
        PRESETS["treadmill"].with_overrides(direction="left", duration_s=3.0, seed=14),
        "runner going left: MediaPipe holds the approaching foot low and starts the toes "
        "early, so landings and take-offs come ~1.5 frames early (contact time is right)",
    ),
    "heel_striker_treadmill_left_60": (
        PRESETS["heel_striker_treadmill"].with_overrides(duration_s=3.0),
        "heel strike: knee at contact 8 deg too bent (truth 10: MediaPipe's knee does not "
        "straighten below ~20 deg on this runner); cadence +0.8 %, events within 0.5 frame",
    ),
}


def run_case(tmp_path_factory, name, params):
    folder = tmp_path_factory.mktemp(name)
    clip = write_synthetic_clip(params, folder, name=name)
    out = folder / "out"
    height = str(params.body_height_cm)
    assert (
        main(["gait", str(clip.video_path), "-o", str(out), "--height-cm", height, "--quiet"]) == 0
    )
    return json.loads((out / "gait.json").read_text()), read_truth_json(clip.truth_path)


def event_errors(result, truth, kind):
    times = [e["time_s"] for e in result["events"]]
    first, last = min(times) - 0.2, max(times) + 0.2
    errors = []
    for side in ("left", "right"):
        est = np.array(
            [e["time_s"] for e in result["events"] if e["side"] == side and e["type"] == kind]
        )
        for t in truth.events_s[side][kind]:
            if not first + 0.25 < t < last - 0.25 or est.size == 0:
                continue
            err = est[np.argmin(np.abs(est - t))] - t
            errors.append(err if abs(err) < 0.1 else np.nan)
    return np.array(errors) * float(truth.fps)


def check_accuracy(result, truth):
    summary = result["summary"]
    assert abs(summary["cadence_spm"] - truth.cadence_spm) / truth.cadence_spm <= 0.01
    frame_limit = max(1.0, float(truth.fps) / 60.0)  # 1 frame at 60 fps, in this clip's frames
    for kind in ("initial_contact", "toe_off"):
        errors = event_errors(result, truth, kind)
        assert np.isfinite(errors).all(), f"{kind} missed"
        assert np.median(np.abs(errors)) <= frame_limit, f"{kind}: {errors}"
    if float(truth.fps) >= 59:
        assert abs(summary["ground_contact_ms"] - truth.contact_time_ms) <= 15
    knee = np.mean([c.knee_flexion_deg for c in truth.contacts])
    assert abs(summary["knee_flexion_at_contact_deg"] - knee) <= 5
    lean = float(np.mean(truth.angles_deg["trunk_lean"]))
    assert abs(summary["trunk_lean_deg"] - lean) <= 3


@pytest.mark.parametrize("name", list(CASES))
def test_accuracy_targets(tmp_path_factory, pose_model, name):
    result, truth = run_case(tmp_path_factory, name, CASES[name])
    assert result["capture"]["view"] == "side"
    assert result["capture"]["direction"] == truth.params.direction
    assert result["capture"]["setting"] == truth.params.setting
    assert result["capture"]["activity"] == "running"
    check_accuracy(result, truth)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=r))
        for n, (_, r) in KNOWN_GAPS.items()
    ],
)
def test_known_gaps(tmp_path_factory, pose_model, name):
    params, _reason = KNOWN_GAPS[name]
    result, truth = run_case(tmp_path_factory, name, params)
    check_accuracy(result, truth)
