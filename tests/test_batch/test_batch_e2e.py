"""``runform batch`` end to end through MediaPipe: reports, failures isolated, resume, Dask."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from runform.cli import main
from runform.synth import PRESETS, write_synthetic_clip

pytestmark = pytest.mark.slow

SMALL = {"setting": "treadmill", "duration_s": 2.0, "width_px": 480, "height_px": 270}


@pytest.fixture(scope="module")
def uploads(tmp_path_factory):
    root = tmp_path_factory.mktemp("uploads")
    clips = {("ana", "2026-01-10_run"): PRESETS["overstrider"], ("ana", "2026-02-14_run"): PRESETS["pose_runner"],
             ("ben", "2026-01-11_run"): PRESETS["low_cadence"]}  # fmt: skip
    for (athlete, name), params in clips.items():
        folder = root / athlete
        folder.mkdir(exist_ok=True)
        write_synthetic_clip(params.with_overrides(**SMALL, seed=5), folder, name=name)
        (folder / f"{name}.truth.json").unlink()
    (root / "ben" / "empty.mp4").write_bytes(b"")
    (root / "ben" / "notes.mp4").write_text("not a video")
    return root


def read_summary(out):
    with (out / "summary.csv").open() as handle:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(handle)]


@pytest.fixture(scope="module")
def local_run(uploads, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "out"
    code = main(
        [
            "batch",
            str(uploads),
            "-o",
            str(out),
            "--jobs",
            "2",
            "--no-video",
            "--height-cm",
            "175",
            "--quiet",
        ]
    )
    return code, out


def test_good_clips_get_reports_and_broken_ones_a_reason(local_run):
    code, out = local_run
    assert code == 3  # some uploads failed
    rows = {r["video"]: r for r in read_summary(out)}
    for name in ("2026-01-10_run.mp4", "2026-02-14_run.mp4", "2026-01-11_run.mp4"):
        assert rows[name]["status"] == "ok"
        assert (out / rows[name]["report"]).is_file()
    assert rows["empty.mp4"]["status"] == "failed" and "empty" in rows["empty.mp4"]["reason"]
    assert (
        rows["notes.mp4"]["status"] == "failed"
        and "not a recognised video" in rows["notes.mp4"]["reason"]
    )
    errors = (out / "errors.log").read_text().splitlines()
    assert len(errors) == 2
    index = (out / "index.html").read_text()
    assert index.count("<tr data-athlete=") == 5 and "<option>ana</option>" in index
    assert (out / "ana" / "progress" / "progress.html").is_file()
    assert (out / "ana" / "latest_vs_previous" / "comparison.html").is_file()


def test_a_second_run_skips_everything(local_run, uploads, capsys):
    _code, out = local_run
    before = read_summary(out)
    assert (
        main(
            [
                "batch",
                str(uploads),
                "-o",
                str(out),
                "--jobs",
                "2",
                "--no-video",
                "--height-cm",
                "175",
            ]
        )
        == 3
    )
    assert "5 videos: 5 already done, 0 to analyse" in capsys.readouterr().out
    assert read_summary(out) == before


def test_a_changed_upload_is_redone(local_run, uploads, tmp_path, capsys):
    _code, out = local_run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    (uploads / "ben" / "notes.mp4").write_text("still not a video, but changed")
    main(["batch", str(uploads), "-o", str(copy), "--no-video", "--height-cm", "175"])
    assert "1 to analyse" in capsys.readouterr().out
    (uploads / "ben" / "notes.mp4").write_text("not a video")


def test_the_dask_run_gives_the_same_results(local_run, uploads, tmp_path):
    _code, out = local_run
    dask_out = tmp_path / "dask"
    code = main(["batch", str(uploads), "-o", str(dask_out), "--dask", "local", "--jobs", "2",
                 "--no-video", "--height-cm", "175", "--quiet"])  # fmt: skip
    assert code == 3
    assert read_summary(dask_out) == read_summary(out)
    for row in read_summary(out):
        if row["status"] != "ok":
            continue
        a = json.loads((out / row["report"]).with_name("analysis.json").read_text())
        b = json.loads((dask_out / row["report"]).with_name("analysis.json").read_text())
        assert a["checkpoints"] == b["checkpoints"] and a["events"] == b["events"]


def test_interrupting_and_resuming_gives_the_same_summary(
    local_run, uploads, tmp_path, monkeypatch
):
    """Ctrl-C right after the first video is recorded (no timing involved), then resume."""
    from runform.batch import run as batch_run

    _code, out = local_run
    resumed = tmp_path / "resumed"
    arguments = ["batch", str(uploads), "-o", str(resumed), "--no-video", "--height-cm", "175",
                 "--quiet"]  # fmt: skip
    record = batch_run.record_outcome

    def record_then_interrupt(*args, **kwargs):
        record(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_run, "record_outcome", record_then_interrupt)
    assert main(arguments) == 130
    assert not (resumed / "summary.csv").exists()
    assert len(list(resumed.rglob("batch.json"))) == 1
    monkeypatch.setattr(batch_run, "record_outcome", record)
    assert main(arguments) == 3
    assert not list(resumed.rglob(".runform-partial-*"))
    assert read_summary(resumed) == read_summary(out)
