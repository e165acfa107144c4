"""The command line: bad input gets a clear error and a non-zero exit, never a traceback."""

import re
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from runform.cli import main
from runform.io.video_writer import write_video


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runform.cli", *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def blank_video(tmp_path: Path) -> Path:
    """A 412-px-wide clip of an empty scene: nobody to detect."""
    frames = (np.full((240, 412, 3), 90 + 5 * i, np.uint8) for i in range(10))
    return write_video(tmp_path / "empty_scene.mp4", frames, 30)


def bad_inputs(tmp_path: Path, blank: Path, audio: Path) -> dict[str, tuple[Path, str, int]]:
    text = tmp_path / "notes.mp4"
    text.write_text("these are my running notes, not a video\n" * 20)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.mp4"
    # without faststart the moov atom comes last: cut it off, as a failed upload does
    with av.open(str(blank)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    whole = tmp_path / "whole.mp4"
    with av.open(str(whole), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 412, 240, "yuv420p"
        for img in frames:
            c.mux(s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        c.mux(s.encode(None))
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return {
        "missing": (tmp_path / "nope.mp4", "not found", 2),
        "directory": (tmp_path, "got a folder", 2),
        "not a video": (text, "not a recognised video format", 2),
        "audio only": (audio, "expected a file with a video stream.*audio", 2),
        "zero bytes": (empty, "empty .0-byte", 2),
        "truncated": (truncated, "moov.*truncated", 2),
        "nobody in view": (blank, "no person was detected", 4),
    }


def test_bad_inputs_give_specific_errors(tmp_path, blank_video, audio_only_file, capsys):
    for label, (path, message, code) in bad_inputs(tmp_path, blank_video, audio_only_file).items():
        out = tmp_path / f"out_{label.replace(' ', '_')}"
        status = main(["pose", str(path), "-o", str(out), "--no-cache"])
        err = capsys.readouterr().err
        assert status == code, (label, err)
        assert "Traceback" not in err, label
        assert "runform: error:" in err, label
        assert re.search(message, err, re.IGNORECASE), (label, err)
        assert not out.exists(), f"{label}: no output folder for a failed run"


def test_error_in_subprocess_has_no_traceback(tmp_path):
    result = run_cli("pose", str(tmp_path / "missing.mp4"), "-o", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "not found" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pose", "x.mp4", "-o", "o", "--slowmo", "0"], "positive"),
        (["pose", "x.mp4", "-o", "o", "--max-side", "10"], ">= 64"),
        (["synth", "--preset", "nonexistent", "-o", "o"], "unknown preset"),
        (["analyze", "x.mp4", "--slowmo", "1e6"], "slow-motion factor from 0.1 to 100"),
        (["analyze", "x.mp4", "--slowmo", "1e-9"], "slow-motion factor from 0.1 to 100"),
        (["analyze", "x.mp4", "--slowmo", "nan"], "positive number"),
        (["analyze", "x.mp4", "--workers", "-2"], "expected 1 or more"),
        (["pose", "x.mp4", "-o", "o", "--workers", "0"], "expected 1 or more"),
        (["batch", "up", "-o", "o", "--jobs", "0"], "expected 1 or more"),
        (["analyze", "x.mp4", "--person-at=-1,5"], "top-left corner"),
        (["analyze", "x.mp4", "--people", "40"], "expected 'auto' or 1-6"),
    ],
)
def test_bad_options_are_explained(args, message, capsys):
    try:
        status = main(args)
    except SystemExit as exit_:
        status = exit_.code
    assert status == 2
    assert message in capsys.readouterr().err


def test_models_info_runs(capsys):
    assert main(["models", "info", "--json"]) == 0
    assert '"variants"' in capsys.readouterr().out


def test_output_that_is_a_file_fails_before_any_work(tmp_path, capsys):
    taken = tmp_path / "report.txt"
    taken.write_text("keep me")
    sample = Path(__file__).resolve().parents[1] / "sample_videos" / "phone_portrait.mp4"
    assert main(["pose", str(sample), "-o", str(taken)]) == 2
    assert "expected an output folder" in capsys.readouterr().err
    assert taken.read_text() == "keep me"


def test_truncated_but_playable_upload_warns(tmp_path, capfd):
    """An upload cut short after a front index still plays: say it ended early."""
    sample = Path(__file__).resolve().parents[1] / "sample_videos" / "phone_portrait.mp4"
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(sample.read_bytes()[: sample.stat().st_size // 2])
    assert main(["pose", str(cut), "-o", str(tmp_path / "out"), "--no-cache"]) == 0
    assert "ends early" in capfd.readouterr().err  # fd level: the CLI guards fd 2


def test_a_warning_from_cached_poses_names_the_file_given(tmp_path, capfd):
    """A renamed copy of a cut-short upload is reported under its own name, not the first's."""
    sample = Path(__file__).resolve().parents[1] / "sample_videos" / "phone_portrait.mp4"
    first, copy = tmp_path / "first.mp4", tmp_path / "renamed copy.mp4"
    first.write_bytes(sample.read_bytes()[: sample.stat().st_size // 2])
    copy.write_bytes(first.read_bytes())
    assert main(["pose", str(first), "-o", str(tmp_path / "a")]) == 0
    assert "first.mp4 ends early" in capfd.readouterr().err
    assert main(["pose", str(copy), "-o", str(tmp_path / "b")]) == 0  # from the cache
    err = capfd.readouterr().err
    assert "renamed copy.mp4 ends early" in err and "first.mp4" not in err


def test_gait_on_a_poses_file_writes_json(tmp_path, capsys):
    import json

    from runform.io.poses import save_poses
    from runform.synth import PRESETS, compute_truth
    from runform.synth.truth_poses import create_truth_poses

    truth = compute_truth(PRESETS["treadmill"].with_overrides(duration_s=2.0))
    poses = save_poses(create_truth_poses(truth), tmp_path / "poses.nc")
    out = tmp_path / "out"
    assert main(["gait", str(poses), "-o", str(out), "--height-cm", "175", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    written = json.loads((out / "gait.json").read_text())
    assert printed["summary"] == written["summary"]
    for key in ("view", "direction", "setting", "activity", "warnings"):
        assert key in written["capture"]
    assert written["summary"]["cadence_spm"] == pytest.approx(180, rel=0.01)
    assert {"side", "type", "frame", "time_s"} <= set(written["events"][0])
    assert "vertical_oscillation_cm" in written["summary"]


def test_gait_rejects_a_bad_height(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["gait", str(tmp_path / "x.mp4"), "--height-cm", "-3"])
    assert exit_info.value.code == 2
    assert "positive number" in capsys.readouterr().err


def test_gait_on_a_missing_video_is_a_clear_error(tmp_path, capsys):
    code = main(["gait", str(tmp_path / "missing.mp4"), "-o", str(tmp_path / "o")])
    assert code != 0
    err = capsys.readouterr().err
    assert "missing.mp4" in err and "Traceback" not in err


def test_gait_output_inside_a_file_is_refused_before_work(tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    code = main(["gait", str(tmp_path / "x.nc"), "-o", str(blocker / "sub")])
    assert code == 2
    assert "is a file" in capsys.readouterr().err


def test_gait_slowmo_with_a_poses_file_is_refused(tmp_path, capsys):
    from runform.io.poses import save_poses
    from runform.synth import PRESETS, compute_truth
    from runform.synth.truth_poses import create_truth_poses

    truth = compute_truth(PRESETS["treadmill"].with_overrides(duration_s=1.0))
    poses = save_poses(create_truth_poses(truth), tmp_path / "poses.nc")
    assert main(["gait", str(poses), "--slowmo", "2", "-o", str(tmp_path / "o")]) == 2
    assert "--slowmo" in capsys.readouterr().err


def test_a_point_outside_the_frame_is_refused_before_any_work(tmp_path, blank_video, capsys):
    out = tmp_path / "out"
    status = main(["analyze", str(blank_video), "-o", str(out), "--person-at", "99999,99999"])
    assert status == 2 and not out.exists()
    assert "outside the 412x240 frame" in capsys.readouterr().err


def test_options_out_of_range_are_refused_by_the_library_too():
    from runform.pipeline import AnalysisOptions, OptionError

    for bad in ({"slowmo": 1e6}, {"slowmo": 1e-9}, {"workers": 0}, {"height_cm": 5000.0},
                {"setting": "underwater"}, {"person": 1, "person_at": (1.0, 1.0)},
                {"drill": "cartwheel"}, {"max_side": 10}, {"people": 0}):  # fmt: skip
        with pytest.raises(OptionError):
            AnalysisOptions(**bad)
