"""Databases for the coach server's tests: SQLite in a temporary folder, and a real PostgreSQL.

PostgreSQL is never mocked. ``RUNFORM_TEST_DATABASE_URL`` names a server to
use (``.ci/run`` sets it after starting Debian's ``postgresql``); without it
a throwaway cluster is started from Debian's binaries in a temporary folder,
listening only on a Unix socket there, and stopped at the end of the run.
Each test gets a fresh database. Without PostgreSQL installed, the
PostgreSQL variants are skipped, saying so.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ENV_URL = "RUNFORM_TEST_DATABASE_URL"
_counter = itertools.count()


def _find_bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a PostgreSQL server (without a database name) for the whole test run."""
    if os.environ.get(ENV_URL):
        yield os.environ[ENV_URL].rstrip("/")
        return
    bindir = _find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="runform-pg-"))
    run_as: list[str] = []
    if os.getuid() == 0:  # initdb refuses root: run the cluster as the postgres user
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            pytest.skip("running as root and no 'postgres' user to run PostgreSQL as")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    options = f"-k {root} -c listen_addresses='' -p {port} -c fsync=off"
    try:
        subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                        "-U", "runform", "--no-sync"], check=True, capture_output=True)  # fmt: skip
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                        "-l", str(root / "log"), "start"], check=True, capture_output=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as error:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start a throwaway PostgreSQL: {error}")
    try:
        yield f"postgresql+psycopg://runform@/?host={root}&port={port}"
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], check=False, capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def _with_database(server: str, name: str) -> str:
    base, _, query = server.partition("?")
    base = base.rstrip("/")
    if base.count("/") > 2:  # a URL naming a database already: replace it
        base = base.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    from sqlalchemy import create_engine, text

    name = f"runform_test_{os.getpid()}_{next(_counter)}"
    admin = create_engine(_with_database(postgres_server, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(postgres_server, name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each server test runs on SQLite (a file) and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runform.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))
