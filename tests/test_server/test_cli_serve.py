"""``runform serve`` and ``runform serve users``: accounts from the command line, a real server."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from runform.cli import main


def _stdin(monkeypatch, text: str, tty: bool = False) -> None:
    stream = io.StringIO(text)
    stream.isatty = lambda: tty  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", stream)


def _storage(tmp_path: Path, database_url: str) -> list[str]:
    return ["--data", str(tmp_path / "data"), "--database-url", database_url]


def test_coaches_are_added_and_listed(tmp_path, database_url, monkeypatch, capsys):
    storage = _storage(tmp_path, database_url)
    _stdin(monkeypatch, "correct horse battery\n")
    assert main(["serve", *storage, "users", "add", "Ann@Example.org", "--name", "Ann",
                 "--password-stdin"]) == 0  # fmt: skip
    assert "added coach ann@example.org" in capsys.readouterr().out
    # the storage options may also follow the action
    monkeypatch.setattr("getpass.getpass", lambda prompt: "another good one")
    _stdin(monkeypatch, "", tty=True)
    assert main(["serve", "users", "add", "bo@example.org", *storage]) == 0
    capsys.readouterr()
    assert main(["serve", "users", "list", *storage]) == 0
    out = capsys.readouterr().out
    assert "ann@example.org" in out and "Ann" in out and "bo@example.org" in out


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [(["users", "add", "a@example.org", "--password-stdin"], "short\n", "at least 8 characters"),
     (["users", "add", "not-an-address", "--password-stdin"], "long enough\n", "not an email"),
     (["users", "add", "a@example.org"], "", "no terminal to ask for the password"),
     (["--database-url", "nosuchdb://x", "users", "list"], "", "cannot use the database nosuchdb://x")],
)  # fmt: skip
def test_bad_input_gives_one_clear_line(tmp_path, monkeypatch, capsys, args, stdin, message):
    _stdin(monkeypatch, stdin)
    assert main(["serve", "--data", str(tmp_path / "data"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.startswith("runform: error:")


def test_an_existing_coach_and_differing_passwords_are_refused(
    tmp_path, database_url, monkeypatch, capsys
):
    storage = _storage(tmp_path, database_url)
    _stdin(monkeypatch, "correct horse battery\n")
    assert main(["serve", *storage, "users", "add", "a@example.org", "--password-stdin"]) == 0
    _stdin(monkeypatch, "correct horse battery\n")
    assert main(["serve", *storage, "users", "add", "A@example.org", "--password-stdin"]) == 2
    assert "already exists" in capsys.readouterr().err
    answers = iter(["first password", "second password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    _stdin(monkeypatch, "", tty=True)
    assert main(["serve", *storage, "users", "add", "b@example.org"]) == 2
    assert "differ" in capsys.readouterr().err


def test_a_data_folder_that_is_a_file_and_a_bad_port_are_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["serve", "--data", str(tmp_path / "file"), "users", "list"]) == 2
    assert "is a file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", "70000"])
    assert exited.value.code == 2


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_server_runs_on_loopback_and_a_coach_logs_in(tmp_path, database_url):
    storage = _storage(tmp_path, database_url)
    runform = [sys.executable, "-m", "runform"]
    subprocess.run([*runform, "serve", *storage, "users", "add", "a@example.org", "--password-stdin"],
                   input="correct horse battery\n", text=True, check=True, capture_output=True)  # fmt: skip
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as stream:
        server = subprocess.Popen([*runform, "serve", *storage, "--port", str(port), "--workers", "0"],
                                  stdout=stream, stderr=subprocess.STDOUT, env={**os.environ})  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, answer = time.monotonic() + 60, None
        for _ in range(600):  # bounded in count and in time
            if server.poll() is not None or time.monotonic() > deadline:
                break
            with contextlib.suppress(httpx.TransportError):
                answer = httpx.get(f"{base}/openapi.json", timeout=2)
                break
            time.sleep(0.1)
        assert answer is not None and answer.status_code == 200, log.read_text()
        with httpx.Client(base_url=base, timeout=10) as client:
            login = client.post("/api/login", json={"email": "a@example.org",
                                                    "password": "correct horse battery"})  # fmt: skip
            assert login.status_code == 200
            csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
            assert (
                client.post("/api/athletes", json={"name": "Ana"}, headers=csrf).status_code == 201
            )
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0  # a graceful stop
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
    text = log.read_text()
    assert "127.0.0.1" in text and "Traceback" not in text and "server stopped" in text
