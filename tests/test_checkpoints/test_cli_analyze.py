"""``runform analyze`` end to end on a poses file, and its refusals."""

from __future__ import annotations

import json

import pytest

from runform.cli import main
from runform.io.poses import save_poses
from runform.synth import PRESETS, compute_truth
from runform.synth.truth_poses import create_truth_poses


@pytest.fixture(scope="module")
def poses_file(tmp_path_factory):
    truth = compute_truth(PRESETS["treadmill"])
    path = tmp_path_factory.mktemp("poses") / "treadmill.nc"
    save_poses(create_truth_poses(truth), path)
    return path


def test_analyze_writes_analysis_json_and_prints_the_focus(poses_file, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["analyze", str(poses_file), "-o", str(out), "--height-cm", "175"])
    assert code == 0
    data = json.loads((out / "analysis.json").read_text())
    assert data["capture"]["setting"] == "treadmill"
    fall = next(c for c in data["checkpoints"] if c["id"] == "fall_angle")
    assert fall["status"] == "not_measured" and "treadmill" in fall["reason"]
    printed = capsys.readouterr().out
    assert "Pose Method checkpoints" in printed and "What to work on next" in printed
    assert not list(out.glob("*.partial*")) and not list(out.glob(".*tmp*"))


def test_analyze_json_output_is_strict_json(poses_file, tmp_path, capsys):
    assert main(["analyze", str(poses_file), "-o", str(tmp_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema_version"] == 1 and data["checkpoints"]


def test_a_coach_rubric_changes_the_target(poses_file, tmp_path, capsys):
    rubric = tmp_path / "coach.toml"
    rubric.write_text('[[checkpoints]]\nid = "cadence"\ntarget = [185.0, 200.0]\n')
    out = tmp_path / "out"
    assert main(["analyze", str(poses_file), "-o", str(out), "--rubric", str(rubric),
                 "--quiet"]) == 0  # fmt: skip
    data = json.loads((out / "analysis.json").read_text())
    cadence = next(c for c in data["checkpoints"] if c["id"] == "cadence")
    assert cadence["target"] == [185.0, 200.0] and cadence["status"] != "pass"
    assert data["rubric"]["source"] == str(rubric)


def test_baseline_from_an_earlier_analysis(poses_file, tmp_path):
    first = tmp_path / "first"
    assert main(["analyze", str(poses_file), "-o", str(first), "--quiet"]) == 0
    second = tmp_path / "second"
    baseline = str(first / "analysis.json")
    assert main(["analyze", str(poses_file), "-o", str(second), "--baseline", baseline,
                 "--quiet"]) == 0  # fmt: skip
    data = json.loads((second / "analysis.json").read_text())
    cadence = next(c for c in data["checkpoints"] if c["id"] == "cadence")
    assert cadence["details"]["target_from"] == "baseline"
    assert cadence["status"] == "pass"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--rubric", "{tmp}/absent.toml"], "rubric file not found"),
        (["--rubric", "{tmp}/bad.toml"], "not valid TOML"),
        (["--baseline", "{tmp}/absent.json"], "baseline file not found"),
        (["--baseline", "{tmp}/bad.toml"], "cannot read the baseline"),
    ],
)
def test_bad_options_give_one_line_and_exit_2(poses_file, tmp_path, capsys, extra, message):
    (tmp_path / "bad.toml").write_text("= = =")
    out = tmp_path / "out"
    args = [a.replace("{tmp}", str(tmp_path)) for a in extra]
    assert main(["analyze", str(poses_file), "-o", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_a_failure_halfway_leaves_the_previous_results_untouched(
    poses_file, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "out"
    assert main(["analyze", str(poses_file), "-o", str(out), "--quiet"]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert (out / "report.html").is_file()

    def explode(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("runform.report.figures.write_plots", explode)
    assert main(["analyze", str(poses_file), "-o", str(out), "--rubric", "/nonexistent"]) == 2
    assert main(["analyze", str(poses_file), "-o", str(out), "--quiet"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]
