"""Event accuracy on held-out seeds of the varied synthetic runner, through MediaPipe.

The seeds come from ``HELDOUT_SEEDS``, which no tuning of the detector looked at
(docs/accuracy.md). Targets (issue 14): median landing and take-off error at
most 1 frame, contact-time bias within 15 ms at 50 fps and more, within one
frame below. Seeds that miss a target are ``xfail(strict=True)`` with the
measured reason, so a change that meets it shows up.
"""

from __future__ import annotations

import pytest

from runform.evaluation.truth_events import ClipResult, evaluate
from runform.io.poses import save_poses
from runform.pose.extract import ExtractionSettings, extract_poses
from runform.synth import write_synthetic_clip
from runform.synth.variation import HELDOUT_SEEDS, sample_varied_params

pytestmark = pytest.mark.slow

MISSES = {
    1002: "30 fps: landings 1.4 frames off (median; +0.7 signed, p90 2.2), contacts 64 ms short",
    1003: "60 fps, the foot hovers 57 ms before touching: landings 3.1 frames early",
    1006: "heel strike at 360p: landings 1.1 frames late (the pose model's feet jump 10-25 px "
    "a frame around touch-down, so the slide rule waits a frame), contacts 46 ms short",
}
SEEDS = [
    pytest.param(s, marks=[pytest.mark.xfail(strict=True, reason=MISSES[s])] if s in MISSES else [])
    for s in (1002, 1003, 1006, 1009)
]


def _measure(seed: int, pose_model, tmp_path) -> ClipResult:  # type: ignore[no-untyped-def]
    assert seed in HELDOUT_SEEDS
    clip = write_synthetic_clip(sample_varied_params(seed), tmp_path, name=f"heldout_{seed}")
    poses = extract_poses(clip.video_path, pose_model, ExtractionSettings(), workers=1)
    save_poses(poses, tmp_path / "poses.nc")
    from runform.synth import read_truth_json

    truth = read_truth_json(clip.truth_path)
    return evaluate(seed, clip.video_path, tmp_path / "poses.nc", truth)


@pytest.mark.parametrize("seed", SEEDS)
def test_heldout_events_meet_the_targets(seed, pose_model, tmp_path):
    r = _measure(seed, pose_model, tmp_path)
    assert r.missed_ic <= 0.25 * r.n_true_ic and r.missed_to <= 0.25 * r.n_true_to
    assert r.ic_median_abs <= 1.0 and r.to_median_abs <= 1.0
    limit_ms = 15.0 if r.fps >= 50 else 1000.0 / r.fps
    assert abs(r.contact_bias_ms) <= limit_ms
