"""``runform progress``: dated sessions, trends with uncertainty, an honest summary."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from runform.cli import main
from runform.compare.progress import find_date_in_name, parse_creation_time
from runform.io.poses import save_poses
from runform.synth import PRESETS, compute_truth
from runform.synth.truth_poses import create_truth_poses

WIDE = {"width_px": 1920, "height_px": 1080, "figure_height_frac": 0.42}


@pytest.mark.parametrize(
    ("name", "date"),
    [("run_2026-03-14.mp4", dt.date(2026, 3, 14)), ("20260102-track.mov", dt.date(2026, 1, 2)),
     ("athlete_2026_11_05", dt.date(2026, 11, 5)), ("clip7.mp4", None), ("2026-13-40.mp4", None)],
)  # fmt: skip
def test_dates_in_file_names(name, date):
    assert find_date_in_name(name) == date


def test_creation_time():
    assert parse_creation_time("2026-05-01T07:30:00.000000Z") == dt.date(2026, 5, 1)
    assert parse_creation_time("not a date") is None and parse_creation_time(None) is None


@pytest.fixture(scope="module")
def analysis_folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("progress")
    plan = {"2026-01-10_athlete": PRESETS["overstrider"],
            "2026-02-07_athlete": PRESETS["overstrider"].with_overrides(overstride_cm=30.0),
            "2026-03-07_athlete": PRESETS["pose_runner"]}  # fmt: skip
    folders = []
    for name, params in plan.items():
        truth = compute_truth(params.with_overrides(**WIDE))
        poses = root / f"{name}.nc"
        save_poses(create_truth_poses(truth), poses)
        out = root / "sessions" / name
        assert main(["analyze", str(poses), "-o", str(out), "--height-cm", "175", "--quiet"]) == 0
        folders.append(out)
    return root, folders


def test_progress_orders_by_date_and_reports_real_progress(analysis_folders, tmp_path, capsys):
    _root, folders = analysis_folders
    out = tmp_path / "progress"
    shuffled = [folders[2], folders[0], folders[1]]
    assert main(["progress", *map(str, shuffled), "-o", str(out)]) == 0
    data = json.loads((out / "progress.json").read_text())
    assert [s["date"] for s in data["sessions"]] == ["2026-01-10", "2026-02-07", "2026-03-07"]
    assert all(s["date_source"] == "file name" for s in data["sessions"])
    verdicts = {c["id"]: c["verdict"] for c in data["first_to_last"]["changes"]}
    assert verdicts["shank_at_contact"] == "improved"
    assert "Clear progress on" in " ".join(data["summary"])
    trends = {t["id"]: t for t in data["trends"]}
    assert len(trends["landing_under_gcm"]["values"]) == 3
    # cadence once: the checkpoint's trend (with its target), not the metric's again
    assert [t["id"] for t in data["trends"] if t["name"] == "Cadence"] == ["cadence"]
    assert "cadence_spm" not in trends
    assert (out / "plots" / "trend_landing_under_gcm.png").is_file()
    assert "Progress over 3 sessions" in (out / "progress.html").read_text()
    assert "Clear progress" in capsys.readouterr().out


def test_a_folder_of_sessions_and_explicit_dates(analysis_folders, tmp_path):
    root, _folders = analysis_folders
    out = tmp_path / "p"
    dates = ["--date", "2025-12-01", "--date", "2025-11-01", "--date", "2025-10-01"]
    assert main(["progress", str(root / "sessions"), "-o", str(out), *dates, "--quiet"]) == 0
    data = json.loads((out / "progress.json").read_text())
    assert data["sessions"][0]["label"] == "2026-03-07_athlete"  # the earliest --date
    assert all(s["date_source"] == "--date" for s in data["sessions"])


def test_bad_progress_inputs(analysis_folders, tmp_path, capsys):
    _root, folders = analysis_folders
    assert main(["progress", str(folders[0]), "-o", str(tmp_path / "a")]) == 2
    assert (
        main(["progress", *map(str, folders), "--date", "2026-01-01", "-o", str(tmp_path / "b")])
        == 2
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["progress", str(empty), "-o", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert (
        "at least 2 sessions" in err
        and "--date was given 1 times" in err
        and "holds no videos" in err
    )


def _change(name, verdict):
    from runform.compare.comparison import Change

    return Change(id=name, name=name, kind="checkpoint", element="pose", unit="deg", baseline=1.0,
                  followup=2.0, delta=1.0, mdc=0.5, verdict=verdict)  # fmt: skip


@pytest.mark.parametrize(
    ("verdicts", "first_line", "other_way"),
    [((), "No checkpoint changed", False), (("regressed",), "No checkpoint has clearly improved",
     True), (("improved", "regressed"), "Clear progress on a0", True)],
)  # fmt: skip
def test_the_progress_summary_never_contradicts_itself(verdicts, first_line, other_way):
    from runform.compare.comparison import Comparison
    from runform.compare.progress import Session, summarise_progress

    changes = tuple(_change(f"a{i}", v) for i, v in enumerate(verdicts))
    sessions = [Session(label, None, "unknown", {"focus": []}) for label in ("one", "two")]
    lines = summarise_progress(sessions, Comparison("one", "two", changes))
    assert lines[1].startswith(first_line)
    assert any(line.startswith("Went the other way") for line in lines) == other_way
    if other_way:
        assert not any("changed by more than the video can resolve" in line for line in lines)
