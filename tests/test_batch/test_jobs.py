"""Finding the uploads, naming their folders, reuse keys, and crash isolation (no MediaPipe)."""

from __future__ import annotations

import sys

import pytest

from runform.batch import jobs as batch_jobs
from runform.batch.jobs import Job, find_jobs, is_done, job_key, run_job
from runform.errors import RunformError


def touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_folder_is_searched_recursively_with_athletes_and_dates(tmp_path):
    touch(tmp_path / "ana" / "2026-03-01_tempo.mp4")
    touch(tmp_path / "ana" / "week2" / "clip.MOV")
    touch(tmp_path / "loose.mp4")
    touch(tmp_path / "notes.txt")
    jobs = {j.name: j for j in find_jobs(str(tmp_path))}
    assert set(jobs) == {"2026-03-01_tempo", "clip", "loose"}
    assert (
        jobs["2026-03-01_tempo"].athlete == "ana" and jobs["2026-03-01_tempo"].date == "2026-03-01"
    )
    assert jobs["2026-03-01_tempo"].folder == "ana/2026-03-01_tempo"
    assert jobs["loose"].athlete == "unknown" and jobs["loose"].folder == "unknown/undated_loose"


def test_a_manifest_sets_athlete_date_drill_height_and_setting(tmp_path):
    touch(tmp_path / "v" / "a.mp4")
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "video,athlete,date,drill,height_cm,setting\nv/a.mp4,Ana Silva,2026-01-05,pony,168,treadmill\n"
    )
    (job,) = find_jobs(str(manifest))
    assert (job.athlete, job.date, job.drill, job.height_cm, job.setting) == (
        "Ana Silva",
        "2026-01-05",
        "pony",
        168.0,
        "treadmill",
    )
    assert job.folder == "Ana-Silva/2026-01-05_a"


@pytest.mark.parametrize(
    ("text", "message"),
    [("athlete\nana\n", "needs a 'video' column"), ("video,height_cm\na.mp4,tall\n", "height_cm must be a number"),
     ("video\n\n,\n", "empty 'video'")],
)  # fmt: skip
def test_bad_manifests(tmp_path, text, message):
    manifest = tmp_path / "m.csv"
    manifest.write_text(text)
    with pytest.raises(RunformError, match=message):
        find_jobs(str(manifest))


def test_nothing_found(tmp_path):
    with pytest.raises(RunformError, match="no video files"):
        find_jobs(str(tmp_path))


def test_the_key_follows_content_and_settings(tmp_path):
    video = touch(tmp_path / "a.mp4", b"one")
    job = Job(str(video), "ana", "2026-01-01")
    key = job_key(job, {"height_cm": None})
    assert key == job_key(job, {"height_cm": None})
    assert key != job_key(job, {"height_cm": 170.0})
    video.write_bytes(b"two")
    assert key != job_key(job, {"height_cm": None})


def test_a_crashing_analysis_costs_only_its_own_video_and_is_retried(tmp_path, monkeypatch):
    video = touch(tmp_path / "a.mp4")
    job = Job(str(video), "ana", "2026-01-01")
    crash = [sys.executable, "-c", "import os; os.abort()"]
    monkeypatch.setattr(batch_jobs, "build_command", lambda *_args: crash)
    result = run_job(job, str(tmp_path / "out"), {}, "k1")
    assert result["status"] == "failed" and "crashed" in result["reason"] and result["retry"]
    assert not is_done(job, tmp_path / "out", "k1")
    usage = [
        sys.executable,
        "-c",
        "import sys; print('runform: error: not a video', file=sys.stderr); sys.exit(2)",
    ]
    monkeypatch.setattr(batch_jobs, "build_command", lambda *_args: usage)
    result = run_job(job, str(tmp_path / "out"), {}, "k2")
    assert result["reason"] == "not a video" and not result["retry"]
    assert is_done(job, tmp_path / "out", "k2") and not is_done(job, tmp_path / "out", "k3")


def test_a_glob_keeps_the_athlete_folders_and_hidden_or_output_files_are_skipped(tmp_path):
    touch(tmp_path / "up" / "ana" / "run.mp4")
    touch(tmp_path / "up" / "ben" / "run.mp4")
    touch(tmp_path / "up" / "ana" / "._run.mp4")  # macOS resource fork
    touch(tmp_path / "up" / "reports" / "ana" / "annotated.mp4")
    jobs = find_jobs(str(tmp_path / "up" / "**" / "*.mp4"), exclude=tmp_path / "up" / "reports")
    assert sorted(j.folder for j in jobs) == ["ana/undated_run", "ben/undated_run"]
    folder_jobs = find_jobs(str(tmp_path / "up"), exclude=tmp_path / "up" / "reports")
    assert sorted(j.folder for j in folder_jobs) == ["ana/undated_run", "ben/undated_run"]


def test_manifest_dates_are_normalised_or_refused(tmp_path):
    touch(tmp_path / "a.mp4")
    manifest = tmp_path / "m.csv"
    manifest.write_text("video,date\na.mp4,2026/03/07\n")
    assert find_jobs(str(manifest))[0].date == "2026-03-07"
    manifest.write_text("video,date\na.mp4,May 2026\n")
    with pytest.raises(RunformError, match="date must be YYYY-MM-DD"):
        find_jobs(str(manifest))


def test_publishing_replaces_old_artifacts_and_removes_stale_ones(tmp_path):
    from runform.commands.analyze import publish_stage, staged_output

    out = tmp_path / "out"
    for name in ("analysis.json", "annotated.mp4", "report.html", "batch.json"):
        touch(out / name, b"old")
    touch(out / "plots" / "old_plot.png", b"old")
    with staged_output(out) as stage:
        touch(stage / "analysis.json", b"new")
        touch(stage / "report.html", b"new")
        touch(stage / "plots" / "new_plot.png", b"new")
    publish_stage(stage, out)
    assert (out / "analysis.json").read_bytes() == b"new" and (
        out / "report.html"
    ).read_bytes() == b"new"
    assert not (out / "annotated.mp4").exists()  # made by the old run only
    assert sorted(p.name for p in (out / "plots").iterdir()) == ["new_plot.png"]
    assert (out / "batch.json").read_bytes() == b"old"  # not ours to touch
    assert not list(out.glob(".partial-*"))


def test_a_truncated_upload_fails_with_its_reason_and_is_not_retried(tmp_path):
    from runform.batch.jobs import prepare_folder, record_outcome

    video = touch(tmp_path / "a.mp4")
    job = Job(str(video), "ana", "2026-01-01")
    folder = prepare_folder(job, str(tmp_path / "out"))
    warning = ("runform: warning: a.mp4 ends early: read 61 of the 272 frames its header "
               "states; the file is probably truncated\n")  # fmt: skip
    result = record_outcome(job, folder, "k", 0, warning, 1.0)
    assert result["status"] == "failed" and not result["retry"]
    assert result["reason"].startswith("a.mp4 ends early") and is_done(job, tmp_path / "out", "k")
    assert record_outcome(job, folder, "k", 0, "", 1.0)["status"] == "ok"
