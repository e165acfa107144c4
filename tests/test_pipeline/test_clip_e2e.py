"""The library pipeline through MediaPipe: one answer for every caller, and no data lost.

Each test is a reproduction from the review of how runform treated a new
user's files; all of them failed before the library pipeline.
"""

from __future__ import annotations

import json
import os
import shutil
import signal

import pytest

from runform.cli import main
from runform.synth import PRESETS, write_synthetic_clip

pytestmark = pytest.mark.slow

SMALL = {"duration_s": 2.5, "width_px": 480, "height_px": 270, "seed": 3}


@pytest.fixture(scope="module")
def tracking_clip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clip")
    params = PRESETS["tracking_shot"].with_overrides(**SMALL)
    return write_synthetic_clip(params, folder, name="tracking").video_path


@pytest.fixture(scope="module")
def analysed(tracking_clip, tmp_path_factory):
    out = tmp_path_factory.mktemp("analysed") / "out"
    assert main(["analyze", str(tracking_clip), "-o", str(out), "--no-video", "--quiet"]) == 0
    return out


def _without_volatile(data):
    data = dict(data)
    data.pop("generated", None)
    return data


def test_a_notebook_call_gives_the_same_analysis_as_the_command_on_a_tracking_shot(
    tracking_clip, analysed
):
    from runform.pipeline import analyze_clip

    result = analyze_clip(tracking_clip)
    cli = json.loads((analysed / "analysis.json").read_text())
    assert result.analysis.gait.capture.setting.label == "tracking"
    assert _without_volatile(json.loads(json.dumps(result.to_dict()))) == _without_volatile(cli)


def test_analysing_a_poses_file_into_its_own_folder_keeps_it_and_can_be_rerun(analysed, tmp_path):
    out = tmp_path / "session"
    shutil.copytree(analysed, out)
    (out / "keyframes.png").write_bytes(b"the key frames of the video run")
    for _ in range(2):
        assert main(["analyze", str(out / "poses.nc"), "-o", str(out), "--quiet"]) == 0
        assert (out / "poses.nc").is_file()
        assert (out / "keyframes.png").read_bytes() == b"the key frames of the video run"


def test_comparing_or_progress_into_an_input_folder_is_refused_and_touches_nothing(
    analysed, tmp_path, capsys
):
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(analysed, a)
    shutil.copytree(analysed, b)
    before = sorted(p.relative_to(b) for p in b.rglob("*"))
    assert main(["compare", str(a), str(b), "-o", str(b), "--quiet"]) == 2
    assert "one of the inputs" in capsys.readouterr().err
    assert main(["progress", str(b), str(a), "-o", str(b), "--quiet"]) == 2
    assert sorted(p.relative_to(b) for p in b.rglob("*")) == before


def test_the_users_files_in_an_output_folder_stay(tracking_clip, analysed, tmp_path):
    out = tmp_path / "mine"
    (out / "plots").mkdir(parents=True)
    (out / "plots" / "notes.txt").write_text("my notes")
    (out / "comparison.json").write_text("{}")
    assert main(["analyze", str(analysed / "poses.nc"), "-o", str(out), "--quiet"]) == 0
    assert (out / "plots" / "notes.txt").read_text() == "my notes"
    assert (out / "comparison.json").read_text() == "{}"
    assert (out / "report.html").is_file() and (out / "plots" / "com_path.png").is_file()


def test_sigterm_leaves_no_partial_output_and_no_folder(analysed, tmp_path, monkeypatch, capsys):
    from runform.report import figures

    def terminated(*_args, **_kwargs):
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the outputs are being written
        raise AssertionError("SIGTERM did not stop the run")

    monkeypatch.setattr(figures, "write_plots", terminated)
    out = tmp_path / "new"
    assert main(["analyze", str(analysed / "poses.nc"), "-o", str(out), "--quiet"]) == 143
    assert not out.exists()
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    assert main(["analyze", str(analysed / "poses.nc"), "-o", str(kept), "--quiet"]) == 143
    assert sorted(p.name for p in kept.iterdir()) == ["notes.txt"]
    assert "terminated" in capsys.readouterr().err


def test_pose_names_a_stale_csv_from_another_video_instead_of_leaving_it_silently(
    tracking_clip, tmp_path, capfd
):
    out = tmp_path / "poses"
    out.mkdir()
    (out / "poses.csv").write_text("frame,x\n1,2\n")
    assert main(["pose", str(tracking_clip), "-o", str(out), "--quiet"]) == 0
    assert (out / "poses.csv").read_text() == "frame,x\n1,2\n"  # not ours to delete
    assert "poses.csv is from an earlier run" in capfd.readouterr().err
    assert main(["pose", str(tracking_clip), "-o", str(out), "--quiet", "--csv"]) == 0
    assert (out / "poses.csv").read_text() != "frame,x\n1,2\n"
