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

import sys
import time

import sqlalchemy as sa

from runform.cli import main
from runform.server.config import ServerSettings
from runform.server.database import create_database_engine, migrate
from runform.server.workers import WorkerPool

RUNFORM = [sys.executable, "-m", "runform"]


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
