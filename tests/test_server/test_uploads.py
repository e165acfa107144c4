"""Uploads stream to scratch and leave nothing behind when cut off; files stay inside their folders."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import anyio
import pytest
from starlette.requests import ClientDisconnect

from runform.server.config import ServerSettings
from runform.server.files import (
    clear_scratch,
    list_artifacts,
    make_safe_name,
    move_aside,
    recover_trash,
    resolve_inside,
    write_json_atomic,
)
from runform.server.models import Job, Session
from runform.server.uploads import UploadRefused, receive_upload

from .api_helpers import make_video, run_server


async def _chunks(data: bytes, size: int = 1000, fail_after: int | None = None,
                  error: BaseException | None = None):  # fmt: skip
    for i, start in enumerate(range(0, len(data), size)):
        if fail_after is not None and i == fail_after:
            raise error or ClientDisconnect()
        yield data[start : start + size]


def receive(data: bytes, scratch: Path, limit: int, **kwargs):
    return anyio.run(receive_upload, _chunks(data, **kwargs), scratch, limit)


def test_an_upload_is_hashed_and_counted_while_it_streams(tmp_path):
    data = os.urandom(3 * (1 << 20) + 17)  # more than one write block
    received = receive(data, tmp_path, len(data))
    assert received.path.parent == tmp_path and received.path.name.startswith("rf-upload-")
    assert received.path.read_bytes() == data and received.size_bytes == len(data)
    assert received.sha256 == hashlib.sha256(data).hexdigest()


def test_an_upload_over_the_limit_stops_there_and_its_partial_file_is_removed(tmp_path):
    with pytest.raises(UploadRefused) as refused:
        receive(os.urandom(10_000), tmp_path, 5_000)
    assert refused.value.status_code == 413 and "5000 bytes" in refused.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("error", [ClientDisconnect(), OSError(28, "No space left on device"),
                                   KeyboardInterrupt()])  # fmt: skip
def test_an_interrupted_upload_leaves_nothing_behind(tmp_path, error):
    with pytest.raises(type(error)):
        receive(os.urandom(50_000), tmp_path, 10**6, fail_after=3, error=error)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("given", "safe"),
    [("run.mp4", "run.mp4"), ("../../etc/passwd", "passwd"), ("C:\\Users\\me\\clip.MOV", "clip.MOV"),
     ("my run (1).mp4", "my_run_1.mp4"), (".hidden.mp4", "hidden.mp4"), ("", "video"),
     ("....", "video"), ("é🏃.mp4", "video.mp4"), ("a" * 300 + ".mp4", "a" * 96 + ".mp4"),
     ("noext", "noext")],
)  # fmt: skip
def test_file_names_from_clients_are_made_safe(given, safe):
    assert make_safe_name(given) == safe


def test_only_regular_files_inside_the_folder_are_resolved(tmp_path):
    folder = tmp_path / "results" / "1"
    (folder / "plots").mkdir(parents=True)
    (folder / "report.html").write_text("r")
    (folder / "plots" / "a.png").write_text("p")
    (folder / ".stage-1").mkdir()
    (folder / ".stage-1" / "x.json").write_text("x")
    (tmp_path / "secret.txt").write_text("s")
    (folder / "out.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "up").symlink_to(tmp_path)
    (folder / "in.html").symlink_to(folder / "report.html")  # a link that stays inside is fine
    assert resolve_inside(folder, "report.html") == (folder / "report.html").resolve()
    assert resolve_inside(folder, "plots/a.png") is not None
    assert resolve_inside(folder, "in.html") == (folder / "report.html").resolve()
    for bad in ("../secret.txt", "plots/../../secret.txt", "/etc/passwd", str(tmp_path / "secret.txt"),
                "out.txt", "up/secret.txt", "plots", "", ".", ".stage-1/x.json", "plots\\a.png",
                "report.html\x00", "missing.png", "plots//a.png", "a" * 5000):  # fmt: skip
        assert resolve_inside(folder, bad) is None, bad
    assert list_artifacts(folder) == ["plots/a.png", "report.html"]  # no hidden stage, no links
    assert list_artifacts(tmp_path / "absent") == []


def test_removals_a_crash_cut_off_are_finished_or_undone_at_the_next_start(tmp_path):
    settings = ServerSettings(data_dir=tmp_path)
    for athlete in (1, 2):
        for kind in ("uploads", "results"):
            (tmp_path / kind / str(athlete)).mkdir(parents=True)
            (tmp_path / kind / str(athlete) / "f").write_text(f"{kind} {athlete}")
    kept = move_aside(
        settings, "athletes", 1, [tmp_path / "uploads" / "1", tmp_path / "results" / "1"]
    )
    gone = move_aside(settings, "athletes", 2, [tmp_path / "uploads" / "2", tmp_path / "results" / "2",
                                                tmp_path / "cache" / "2"])  # fmt: skip
    assert (
        not (tmp_path / "uploads" / "1").exists() and kept.folder.is_dir() and gone.folder.is_dir()
    )
    (tmp_path / "trash" / "cut-off-before-its-manifest").mkdir()
    # athlete 1's deletion never committed (its row is there); athlete 2's did
    assert recover_trash(settings, lambda table, row: (table, row) == ("athletes", 1)) == 3
    assert (tmp_path / "uploads" / "1" / "f").read_text() == "uploads 1"
    assert (tmp_path / "results" / "1" / "f").read_text() == "results 1"
    assert not (tmp_path / "uploads" / "2").exists() and not (tmp_path / "results" / "2").exists()
    assert list((tmp_path / "trash").iterdir()) == []


def test_start_up_empties_scratch_of_the_servers_files_only(tmp_path):
    settings = ServerSettings(data_dir=tmp_path)
    settings.scratch_dir.mkdir()
    (settings.scratch_dir / "rf-upload-x.part").write_bytes(b"half")
    (settings.scratch_dir / "rf-export-y.zip").write_bytes(b"zip")
    (settings.scratch_dir / "someone-elses.txt").write_text("keep")
    assert clear_scratch(settings) == 2
    assert [p.name for p in settings.scratch_dir.iterdir()] == ["someone-elses.txt"]


def test_json_is_written_atomically(tmp_path, monkeypatch):
    target = tmp_path / "a.json"
    write_json_atomic({"v": 1}, target)
    monkeypatch.setattr(os, "fsync", lambda _fd: (_ for _ in ()).throw(OSError("disk gone")))
    with pytest.raises(OSError):
        write_json_atomic({"v": 2}, target)
    assert target.read_text().count('"v": 1') == 1 and [p.name for p in tmp_path.iterdir()] == [
        "a.json"
    ]


def test_an_upload_that_fails_after_its_move_leaves_neither_file_nor_row(
    tmp_path, database_url, monkeypatch
):
    with run_server(tmp_path, database_url) as server:
        server.add_coach("a@example.org")
        coach = server.log_in("a@example.org")
        athlete = coach.add_athlete()
        video = make_video(tmp_path / "run.mp4")
        real_replace = Path.replace

        def replace_then_fail(self, target):  # the move succeeds, then the transaction fails
            moved = real_replace(self, target)
            if "uploads" in Path(target).parts:
                raise OSError(5, "Input/output error")
            return moved

        monkeypatch.setattr(Path, "replace", replace_then_fail)
        with pytest.raises(OSError):
            coach.upload(athlete, video)
        monkeypatch.undo()
        assert server.scratch_files() == [] and not any((server.data / "uploads").rglob("*.mp4"))
        assert server.count(Session) == 0 and server.count(Job) == 0
        assert (
            coach.upload(athlete, video).status_code == 201
        )  # and the same video is welcome again
