"""``runform analyze`` writes every artifact, complete and consistent (through MediaPipe)."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from runform.cli import main
from runform.io.video import count_frames, probe_video

pytestmark = pytest.mark.slow

ARTIFACTS = ("analysis.json", "poses.nc", "annotated.mp4", "keyframes.png", "report.html")


def test_every_artifact_exists(analysed):
    _video, out = analysed
    for name in ARTIFACTS:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    plots = sorted(p.name for p in (out / "plots").glob("*.png"))
    assert {
        "checkpoint_profile.png",
        "com_path.png",
        "events_timeline.png",
        "cycle_knee_flexion.png",
    } <= set(plots)
    assert not list(out.rglob(".*.tmp")) and not list(out.rglob("*.partial*"))


def test_annotated_video_matches_the_source(analysed):
    video, out = analysed
    source, annotated = probe_video(video), probe_video(out / "annotated.mp4")
    assert count_frames(out / "annotated.mp4") == count_frames(video)
    assert annotated.fps == source.fps
    assert annotated.codec == "h264" and annotated.pix_fmt == "yuv420p"
    assert min(annotated.width, annotated.height) <= 1080


def test_key_frames_show_four_instants(analysed):
    _video, out = analysed
    with Image.open(out / "keyframes.png") as image:
        width, height = image.size
    assert height == 480 and width > 4 * 100


def test_report_is_self_contained_and_escapes_names(analysed):
    _video, out = analysed
    html = (out / "report.html").read_text()
    assert "&lt;b&gt;&amp;&#34;x&#34;" in html and '<b>&"x"' not in html
    assert "http://" not in html and "https://" not in html
    assert html.count("data:image/png;base64,") >= 5
    assert 'src="annotated.mp4"' in html
    assert html.index("What to work on next") < html.index("Checkpoints") < html.index("Plots")
    data = json.loads((out / "analysis.json").read_text())
    assert data["focus"] and data["focus"][0]["message"] in html.replace("&#39;", "'")


def test_no_video_skips_the_annotated_video(analysed, tmp_path):
    video, _out = analysed
    out = tmp_path / "fast"
    assert main(["analyze", str(video), "-o", str(out), "--no-video", "--quiet"]) == 0
    assert not (out / "annotated.mp4").exists()
    assert (out / "report.html").is_file() and "<video" not in (out / "report.html").read_text()


def test_drill_reports_plot_the_rep_scores(tmp_path):
    from runform.synth.drill_params import DrillParams
    from runform.synth.drills import write_drill_clip

    video, _truth = write_drill_clip(
        DrillParams(
            "hamstring_pull", reps=3, rep_s=1.0, pull_height_frac=0.55, width_px=640, height_px=360
        ),
        tmp_path,
    )
    out = tmp_path / "out"
    assert (
        main(["analyze", str(video), "-o", str(out), "--drill", "hamstring_pull", "--quiet"]) == 0
    )
    assert (out / "plots" / "drill_reps.png").is_file()
    assert "Drill: hamstring pull, 3 repetitions" in (out / "report.html").read_text()


def test_a_baseline_puts_its_key_frames_under_this_sessions(analysed, tmp_path):
    video, out = analysed
    again = tmp_path / "again"
    args = ["analyze", str(video), "-o", str(again), "--no-video", "--quiet",
            "--baseline", str(out / "analysis.json")]  # fmt: skip
    assert main(args) == 0
    with Image.open(out / "keyframes.png") as one, Image.open(again / "keyframes.png") as two:
        assert two.size[0] == one.size[0] and two.size[1] > 1.9 * one.size[1]
