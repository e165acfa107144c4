"""Output folders lose nothing: only this run's files are written, inputs are never replaced."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from runform.pipeline.outputs import STAGE_PREFIX, OutputFolderError, open_output


def touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_only_the_files_of_this_run_are_written_and_the_users_files_stay(tmp_path):
    out = tmp_path / "out"
    touch(out / "notes.txt", b"mine")
    touch(out / "plots" / "notes.txt", b"mine too")
    touch(out / "comparison.json", b"another command's")
    touch(out / "report.html", b"old")
    with open_output(out) as output:
        touch(output.stage / "analysis.json", b"new")
        touch(output.stage / "plots" / "com_path.png", b"new")
        touch(output.stage / "report.html", b"new")
    assert (out / "notes.txt").read_bytes() == b"mine"
    assert (out / "plots" / "notes.txt").read_bytes() == b"mine too"
    assert (out / "comparison.json").read_bytes() == b"another command's"
    assert (out / "report.html").read_bytes() == b"new"
    assert sorted(p.name for p in output.published) == [
        "analysis.json",
        "com_path.png",
        "report.html",
    ]
    assert output.published[-1].name == "report.html"  # the report arrives last
    assert not list(out.glob(f"{STAGE_PREFIX}*"))


def test_a_failed_run_changes_nothing_and_leaves_no_folder_it_created(tmp_path):
    out = tmp_path / "new"
    with pytest.raises(RuntimeError), open_output(out) as output:
        touch(output.stage / "analysis.json")
        raise RuntimeError("the analysis failed")
    assert not out.exists()
    kept = touch(tmp_path / "old" / "analysis.json", b"old")
    with pytest.raises(KeyboardInterrupt), open_output(kept.parent) as output:
        touch(output.stage / "analysis.json", b"new")
        raise KeyboardInterrupt
    assert kept.read_bytes() == b"old" and sorted(p.name for p in kept.parent.iterdir()) == [
        "analysis.json"
    ]


def test_an_output_folder_that_is_an_input_is_refused_before_anything_is_touched(tmp_path):
    session = touch(tmp_path / "b" / "analysis.json", b"b's").parent
    with (
        pytest.raises(OutputFolderError, match="one of the inputs"),
        open_output(session, [session]),
    ):
        pytest.fail("the block must not run")
    assert sorted(p.name for p in session.iterdir()) == ["analysis.json"]


def test_a_file_that_would_replace_an_input_is_refused_and_nothing_moves_in(tmp_path):
    poses = touch(tmp_path / "out" / "poses.nc", b"the input")
    refused = pytest.raises(OutputFolderError, match="replace its own input")
    with refused, open_output(poses.parent, [poses]) as output:
        touch(output.stage / "analysis.json", b"new")
        touch(output.stage / "poses.nc", b"new")
    assert poses.read_bytes() == b"the input" and sorted(
        p.name for p in poses.parent.iterdir()
    ) == ["poses.nc"]


def test_stale_companions_are_named_and_left_alone(tmp_path):
    stale = touch(tmp_path / "out" / "poses.csv", b"another video's")
    with open_output(stale.parent, companions=["poses.csv"]) as output:
        touch(output.stage / "poses.nc")
    assert stale.read_bytes() == b"another video's"
    (message,) = output.describe_stale()
    assert "poses.csv" in message and "earlier run" in message


def test_a_stage_left_by_a_killed_process_is_removed_by_the_next_run(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    left = touch(tmp_path / "out" / f"{STAGE_PREFIX}{dead}-abc" / "analysis.json").parent
    alive = touch(tmp_path / "out" / f"{STAGE_PREFIX}{os.getppid()}-def" / "a.json").parent
    with open_output(tmp_path / "out") as output:
        touch(output.stage / "analysis.json")
    assert not left.exists() and alive.exists()  # a running process's stage is its own


def test_an_existing_file_is_not_an_output_folder(tmp_path):
    file = touch(tmp_path / "file")
    with pytest.raises(OutputFolderError, match="existing file"), open_output(file):
        pass
