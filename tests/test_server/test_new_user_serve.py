"""``runform serve`` as a new user ran it by hand: each thing that went wrong, kept as a test.

A second ``runform serve`` started by mistake on the same data folder queued
the first one's running analysis again (spending one of its three attempts)
and emptied its ``scratch/`` before failing to bind the port with uvicorn's
own message and status 3; the access log showed every athlete's link; the
server's and the workers' own messages (jobs queued again at start, a worker
that cannot load the model) were never shown; a database from a newer
runform was an "internal error"; a new data folder was readable by every
user of the machine.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from runform.cli import main
from runform.commands.serve import lock_data_folder, redact_link_tokens
from runform.errors import RunformError
from runform.server.config import ServerSettings
from runform.server.database import create_database_engine, migrate
from runform.server.workers import WorkerPool

from .api_helpers import PASSWORD, make_video

RUNFORM = [sys.executable, "-m", "runform"]


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as stream:
        return subprocess.Popen([*RUNFORM, "serve", "--data", str(data), "--port", str(port),
                                 "--workers", "0"], stdout=stream, stderr=subprocess.STDOUT)  # fmt: skip


def _wait_until_up(server: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"the server did not start:\n{log.read_text()}")


def _run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RUNFORM, *args], input=stdin, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def _job(data: Path) -> tuple:
    with contextlib.closing(sqlite3.connect(data / "runform.sqlite3")) as db:
        return db.execute("SELECT state, worker, attempts FROM jobs").fetchone()


def test_a_second_server_by_mistake_changes_nothing_and_says_why(tmp_path):
    data, other = tmp_path / "data", tmp_path / "other"
    added = _run(["serve", "--data", str(data), "users", "add", "a@example.org",
                  "--password-stdin"], stdin=f"{PASSWORD}\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700  # a new folder: its owner's only
    port, log = _free_port(), tmp_path / "first.log"
    first = _start(data, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(first, base, log)
        with httpx.Client(base_url=base, timeout=30) as client:
            login = client.post("/api/login", json={"email": "a@example.org", "password": PASSWORD})
            csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
            athlete = client.post("/api/athletes", json={"name": "Ana"}, headers=csrf).json()["id"]
            token = client.post(f"/api/athletes/{athlete}/link", headers=csrf).json()["token"]
            video = make_video(tmp_path / "run.mp4").read_bytes()
            upload = client.post(f"/api/a/{token}/sessions", content=video,
                                 params={"filename": "run.mp4"})  # fmt: skip
            assert upload.status_code == 201, upload.text
        # as if the first server's worker were analysing it, an upload arriving in scratch
        with contextlib.closing(sqlite3.connect(data / "runform.sqlite3")) as db:
            db.execute("UPDATE jobs SET state='running', worker='host:1', attempts=1")
            db.commit()
        arriving = data / "scratch" / "rf-upload-arriving.part"
        arriving.parent.mkdir(exist_ok=True)
        arriving.write_bytes(b"half a video")

        second = _run(["serve", "--data", str(data), "--port", str(_free_port()), "--workers", "0"])
        assert second.returncode == 2, second.stdout + second.stderr
        assert "another runform server" in second.stderr and str(first.pid) in second.stderr
        assert "Traceback" not in second.stderr
        assert _job(data) == ("running", "host:1", 1) and arriving.exists()

        same_port = _run(["serve", "--data", str(other), "--port", str(port), "--workers", "0"])
        assert same_port.returncode == 2, same_port.stdout + same_port.stderr
        assert "already in use" in same_port.stderr and "Traceback" not in same_port.stderr
        assert not other.exists()  # nothing made before the port was this server's
        assert _job(data) == ("running", "host:1", 1) and arriving.exists()

        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=30)
    text = log.read_text()
    assert f"/api/a/{token}" not in text and "/api/a/<link>/sessions" in text
    # the next start says what it recovered; the stop released the lock
    log2 = tmp_path / "again.log"
    again = _start(data, port, log2)
    try:
        _wait_until_up(again, base, log2)
        again.send_signal(signal.SIGTERM)
        assert again.wait(timeout=60) == 0
    finally:
        if again.poll() is None:
            again.kill()
            again.wait(timeout=30)
    text = log2.read_text()
    assert "1 job(s) queued again" in text and "removed 1 unfinished upload" in text, text


def test_a_server_without_coaches_says_how_to_add_one(tmp_path):
    port, log = _free_port(), tmp_path / "server.log"
    server = _start(tmp_path / "data", port, log)
    try:
        _wait_until_up(server, f"http://127.0.0.1:{port}", log)
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
    assert "no coach can log in yet" in log.read_text() and "users add" in log.read_text()


def test_the_data_folder_lock_is_held_once_and_released(tmp_path):
    with (lock_data_folder(tmp_path), pytest.raises(RunformError, match=f"pid {os.getpid()}"),
          lock_data_folder(tmp_path)):  # fmt: skip
        pass
    with lock_data_folder(tmp_path):  # released: taken again
        pass


@pytest.fixture
def serve_logging():
    """Run ``runform serve``'s logging set-up into a string; undo it afterwards."""
    from runform.commands.serve import _configure_logging

    access, runform = logging.getLogger("uvicorn.access"), logging.getLogger("runform")
    saved = (list(access.filters), list(runform.handlers), runform.level)
    stream = io.StringIO()
    _configure_logging(stream)
    yield stream
    access.filters[:], runform.handlers[:] = saved[0], saved[1]
    runform.setLevel(saved[2])


@pytest.mark.parametrize(
    ("path", "logged"),
    [("/api/a/q3X_-abc/sessions?filename=run.mp4", "/api/a/<link>/sessions?filename=run.mp4"),
     ("/api/a/q3X_-abc", "/api/a/<link>"),
     ("/a/q3X_-abc/sessions/2", "/a/<link>/sessions/2"),
     ("/api/athletes/1/sessions", "/api/athletes/1/sessions"),
     ("/athletes/2", "/athletes/2")],
)  # fmt: skip
def test_the_access_log_never_shows_an_athletes_link(path, logged, serve_logging):
    assert redact_link_tokens(path) == logged
    access = logging.getLogger("uvicorn.access")
    record = access.makeRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d', ("127.0.0.1:5", "GET", path, "1.1", 200),
                               None)  # fmt: skip
    assert all(f.filter(record) for f in access.filters)
    assert record.getMessage() == f'127.0.0.1:5 - "GET {logged} HTTP/1.1" 200'


def test_the_servers_own_messages_are_shown(serve_logging):
    logging.getLogger("runform.server.workers").info("at start: 1 job(s) queued again")
    assert serve_logging.getvalue() == "INFO:     at start: 1 job(s) queued again\n"


def test_a_database_from_a_newer_runform_is_one_clear_line(tmp_path, database_url, capsys):
    engine = create_database_engine(database_url)
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    code = main(["serve", "--data", str(tmp_path / "data"), "--database-url", database_url,
                 "users", "list"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "schema revision 9999" in err and "newer runform" in err, err
    assert "internal error" not in err and "Traceback" not in err


def test_a_workers_warnings_reach_the_servers_output(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("RUNFORM_MODEL", str(tmp_path / "no-such-model.task"))
    settings = ServerSettings(data_dir=tmp_path / "data", workers=1)
    settings.data_dir.mkdir()
    migrate(create_database_engine(settings.url))
    pool = WorkerPool(settings)
    pool.start()
    seen = ""
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "warm-up failed" not in seen:
            time.sleep(0.5)
            seen += capfd.readouterr().out
    finally:
        pool.stop()
    assert "WARNING:" in seen and "analysis worker" in seen and "no-such-model.task" in seen, seen
