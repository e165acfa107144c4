"""Finding the uploads, naming their folders, reuse keys, and crash isolation (no MediaPipe)."""

from __future__ import annotations

import sys

import pytest

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
    assert job.folder.startswith("Ana-Silva-") and job.folder.endswith("/2026-01-05_a")


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
    from runform.batch import pool as batch_pool

    video = touch(tmp_path / "a.mp4")
    job = Job(str(video), "ana", "2026-01-01")
    crash = (sys.executable, "-c", "import os; os.abort()")
    monkeypatch.setattr(batch_pool, "WORKER_COMMAND", crash)
    result = run_job(job, str(tmp_path / "out"), {}, "k1")
    assert result["status"] == "failed" and result["outcome"] == "crashed" and result["retry"]
    assert "crashed" in result["reason"] and not is_done(job, tmp_path / "out", "k1")


def test_a_job_that_keeps_failing_inside_runform_is_left_alone_after_three_tries(tmp_path):
    from runform.batch.jobs import MAX_ATTEMPTS, prepare_folder, record_outcome
    from runform.batch.outcome import JobOutcome

    job = Job(str(touch(tmp_path / "a.mp4")), "ana", "2026-01-01")
    folder = prepare_folder(job, str(tmp_path / "out"))
    failing = JobOutcome("internal_error", "internal error: ValueError: boom", retry=True)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert not is_done(job, tmp_path / "out", "k")
        assert record_outcome(job, folder, "k", failing, 1.0)["attempts"] == attempt
    assert is_done(job, tmp_path / "out", "k")
    assert not is_done(job, tmp_path / "out", "another key")  # a new upload runs again


@pytest.mark.parametrize(
    ("error", "kind", "retry"),
    [("NoPersonDetectedError", "no_person", False), ("VideoDecodeError", "bad_upload", False),
     ("InputFileError", "bad_upload", False), ("ModelUnavailableError", "internal_error", True)],
)  # fmt: skip
def test_errors_are_classified_by_their_type(error, kind, retry):
    from runform import errors
    from runform.batch.outcome import classify_error

    outcome = classify_error(getattr(errors, error)("what went wrong", hint="a hint"))
    assert (outcome.kind, outcome.retry, outcome.reason) == (kind, retry, "what went wrong")
    crash = classify_error(ValueError("Expected 'time_s' to be strictly increasing"))
    assert crash.kind == "internal_error" and crash.retry and "ValueError" in crash.log


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


def test_a_truncated_upload_fails_with_its_reason_and_is_not_retried(tmp_path):
    from runform.batch.jobs import prepare_folder, record_outcome
    from runform.batch.outcome import JobOutcome

    video = touch(tmp_path / "a.mp4")
    job = Job(str(video), "ana", "2026-01-01")
    folder = prepare_folder(job, str(tmp_path / "out"))
    warning = "a.mp4 ends early: read 61 of the 272 frames; the file is probably truncated"
    result = record_outcome(
        job, folder, "k", JobOutcome("truncated", warning, False, (warning,)), 1
    )
    assert result["status"] == "failed" and not result["retry"] and result["outcome"] == "truncated"
    assert result["reason"].startswith("a.mp4 ends early") and is_done(job, tmp_path / "out", "k")
    assert record_outcome(job, folder, "k", JobOutcome("ok"), 1.0)["status"] == "ok"


def test_folder_names_are_readable_stable_and_never_shared():
    from runform.batch.jobs import safe_name

    assert safe_name("ana-b") == "ana-b" and safe_name("跑步") == "跑步"
    assert safe_name("ana b") != safe_name("ana-b") and safe_name("ana b").startswith("ana-b-")
    assert safe_name("ana b") == safe_name("ana b")  # the same on every run
    assert safe_name("ana/b") != safe_name("ana b") and "/" not in safe_name("ana/b")
    assert safe_name("..") not in ("", ".", "..") and safe_name("") != ""


def test_athletes_whose_names_clean_alike_get_their_own_folders(tmp_path):
    touch(tmp_path / "ana b" / "2026-01-01_run.mp4")
    touch(tmp_path / "ana-b" / "2026-01-01_run.mp4")
    folders = [j.folder for j in find_jobs(str(tmp_path))]
    assert len(set(folders)) == 2 and "ana-b/2026-01-01_run" in folders


def test_non_ascii_file_names_stay_readable_and_distinct(tmp_path):
    touch(tmp_path / "跑步.mp4")
    touch(tmp_path / "慢跑.mp4")
    folders = sorted(j.folder for j in find_jobs(str(tmp_path)))
    assert folders == ["unknown/undated_慢跑", "unknown/undated_跑步"]


def test_uploads_with_the_same_name_in_sub_folders_get_their_own_folders(tmp_path):
    touch(tmp_path / "ana" / "week1" / "run.mp4")
    touch(tmp_path / "ana" / "week2" / "run.mp4")
    first = sorted(j.folder for j in find_jobs(str(tmp_path)))
    assert len(set(first)) == 2
    assert first == sorted(j.folder for j in find_jobs(str(tmp_path)))  # stable


def test_an_earlier_batch_output_inside_the_uploads_is_not_taken_for_uploads(tmp_path):
    touch(tmp_path / "up" / "ana" / "run.mp4")
    touch(tmp_path / "up" / "old-results" / ".runform-batch", b"")
    touch(tmp_path / "up" / "old-results" / "ana" / "undated_run" / "annotated.mp4")
    touch(tmp_path / "up" / "ben" / "session" / "analysis.json", b"{}")
    touch(tmp_path / "up" / "ben" / "session" / "annotated.mp4")
    jobs = find_jobs(str(tmp_path / "up"))
    assert [j.folder for j in jobs] == ["ana/undated_run"]


def test_a_cut_short_upload_is_listed_with_its_report_and_its_reason(tmp_path):
    from runform.batch.jobs import prepare_folder, record_outcome
    from runform.batch.outcome import JobOutcome
    from runform.batch.run import build_rows

    job = Job(str(touch(tmp_path / "a.mp4")), "ana", "2026-01-01")
    out = tmp_path / "out"
    folder = prepare_folder(job, str(out))
    touch(folder / "report.html")
    touch(folder / "analysis.json", b'{"mode": {"kind": "running"}, "summary": {}, "focus": []}')
    warning = "a.mp4 ends early: read 61 of 272 frames; the file is probably truncated"
    record_outcome(job, folder, "k", JobOutcome("truncated", warning, False, (warning,)), 1.0)
    (row,) = build_rows([job], out)
    assert row["status"] == "failed" and row["reason"] == warning
    assert row["report"] == "ana/2026-01-01_a/report.html" and row["mode"] == "running"
