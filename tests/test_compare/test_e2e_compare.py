"""Comparisons through real MediaPipe inference on rendered synthetic runners."""

from __future__ import annotations

import json

import pytest

from runform.cli import main
from runform.synth import PRESETS, write_synthetic_clip

pytestmark = pytest.mark.slow


def render(tmp_path_factory, name, params):
    folder = tmp_path_factory.mktemp(name)
    return write_synthetic_clip(params, folder, name=name).video_path


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    base = PRESETS["treadmill"].with_overrides(duration_s=3.0)
    return {
        "good_a": render(tmp_path_factory, "good_a", base.with_overrides(seed=31)),
        "good_b": render(tmp_path_factory, "good_b", base.with_overrides(seed=32)),
        "over": render(tmp_path_factory, "over", PRESETS["overstrider"].with_overrides(
            setting="treadmill", duration_s=3.0, seed=33)),
    }  # fmt: skip


def run_compare(a, b, out):
    assert main(["compare", str(a), str(b), "-o", str(out), "--height-cm", "175",
                 "--no-video", "--quiet"]) == 0  # fmt: skip
    return json.loads((out / "comparison.json").read_text())


def test_two_renders_of_the_same_runner_show_no_invented_change(clips, tmp_path):
    data = run_compare(clips["good_a"], clips["good_b"], tmp_path / "same")
    judged = [c for c in data["changes"] if c["verdict"] != "not_comparable"]
    steady = [c for c in judged if c["verdict"] == "no_clear_change"]
    assert len(steady) >= 0.95 * len(judged), [
        c for c in judged if c["verdict"] != "no_clear_change"
    ]


def test_fixing_an_overstride_shows_as_improved_and_back_as_regressed(clips, tmp_path):
    forward = run_compare(clips["over"], clips["good_a"], tmp_path / "fwd")
    backward = run_compare(clips["good_a"], clips["over"], tmp_path / "bwd")
    verdicts = {c["id"]: c["verdict"] for c in forward["changes"]}
    assert verdicts["shank_at_contact"] == "improved"
    assert not [c for c in forward["changes"] if c["verdict"] == "regressed"]
    flip = {"improved": "regressed", "regressed": "improved"}
    for a, b in zip(forward["changes"], backward["changes"], strict=True):
        assert b["verdict"] == flip.get(a["verdict"], a["verdict"])


def test_videos_are_put_side_by_side_from_a_landing(clips, tmp_path):
    from runform.io.video import probe_video

    out = tmp_path / "with_video"
    assert (
        main(["compare", str(clips["over"]), str(clips["good_a"]), "-o", str(out), "--quiet"]) == 0
    )
    video = probe_video(out / "side_by_side.mp4")
    assert video.height == 720 and video.codec == "h264" and video.n_frames > 30
    html = (out / "comparison.html").read_text()
    assert 'src="side_by_side.mp4"' in html and "What improved" in html
