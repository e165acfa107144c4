"""``runform serve``: the coach server, and ``runform serve users``: its coach accounts.

``runform serve [--data DIR] [--host H] [--port N] ...`` runs the web
application (:func:`runform.server.app.create_app`) with uvicorn. Before
the app touches the database or the data folder, the server binds its
port and locks the folder (``server.lock``: one server per folder), so a
second ``runform serve`` started by mistake stops with one line instead of
queueing the first one's running analyses again and emptying its
``scratch/``. A new data folder is made readable by its owner only (the
athletes' videos, the password hashes). The access log never shows an
athlete's link: the token in ``/api/a/<token>`` and ``/a/<token>`` is
replaced by ``<link>``.
``runform serve users add EMAIL [--name NAME] [--password-stdin]`` adds a
coach (the password is asked twice, or read from the first line of
standard input); ``runform serve users list`` lists them. Both take the
same ``--data`` and ``--database-url`` as the server.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import getpass
import logging
import os
import re
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from runform.commands.common import positive_float
from runform.errors import RunformError
from runform.server.config import (
    DEFAULT_HOST,
    DEFAULT_MAX_UPLOAD_BYTES,
    DEFAULT_PORT,
    DEFAULT_WORKERS,
    ServerSettings,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession
    from sqlalchemy.orm import sessionmaker

__all__ = ["add_serve_parser", "build_settings", "lock_data_folder", "redact_link_tokens"]

#: Where the data folder is unless ``--data`` says otherwise (relative to the current folder).
DEFAULT_DATA = Path("runform-data")
#: The file in the data folder a running server holds locked.
LOCK_NAME = "server.lock"
#: An athlete's link in a request path: the API's ``/api/a/<token>`` and the page ``/a/<token>``.
_LINK_TOKEN = re.compile(r"(^|/api)/a/[^/?#\s]+")


def build_settings(args: argparse.Namespace) -> ServerSettings:
    """Turn the command line into the server's settings (defaults where an option is absent)."""
    upload_mb = getattr(args, "max_upload_mb", None)
    data = Path(args.data)
    if data.exists() and not data.is_dir():
        raise RunformError(f"the data folder {data} is a file", hint="give a folder with --data")
    return ServerSettings(
        data_dir=data,
        database_url=args.database_url or None,
        host=getattr(args, "host", None) or DEFAULT_HOST,
        port=DEFAULT_PORT if getattr(args, "port", None) is None else args.port,
        workers=DEFAULT_WORKERS if getattr(args, "workers", None) is None else args.workers,
        max_upload_bytes=int(upload_mb * 1e6) if upload_mb else DEFAULT_MAX_UPLOAD_BYTES,
        scheduler=getattr(args, "scheduler", None) or None,
        secure_cookies=bool(getattr(args, "secure_cookies", False)),
    )


def _describe_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable URL)"


def _explain_database_error(url: str, error: Exception) -> RunformError:
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return RunformError(f"cannot use the database {_describe_url(url)}: {reason}",
                        hint="check --database-url (PostgreSQL: "
                        "postgresql+psycopg://USER:PASSWORD@HOST/DB)")  # fmt: skip


def make_data_folder(data_dir: Path) -> None:
    """Create the data folder if needed: a new one is readable by its owner only (0700)."""
    if not data_dir.is_dir():
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        data_dir.mkdir(mode=0o700, exist_ok=True)


def _open_database(settings: ServerSettings) -> sessionmaker[DbSession]:
    """Return a sessionmaker on the migrated database, or raise a one-line error."""
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import sessionmaker

    from runform.server.database import create_database_engine, migrate

    make_data_folder(settings.data_dir)
    try:
        engine = create_database_engine(settings.url)
        migrate(engine)
    except SQLAlchemyError as error:
        raise _explain_database_error(settings.url, error) from error
    return sessionmaker(engine)


def read_new_password(from_stdin: bool) -> str:
    """Read a new password: the first line of stdin, or typed twice at a terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise RunformError("no terminal to ask for the password on",
                           hint="pipe it in with --password-stdin")  # fmt: skip
    first = getpass.getpass("password: ")
    if getpass.getpass("password again: ") != first:
        raise RunformError("the two passwords differ; nothing was changed")
    return first


def run_users_add(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform serve users add``."""
    from runform.server.auth import check_password_rules, create_coach
    from runform.server.database import open_session

    settings = build_settings(args)
    password = read_new_password(args.password_stdin)
    check_password_rules(password)
    factory = _open_database(settings)
    with open_session(factory) as db:
        coach = create_coach(db, args.email, password, args.name or "")
        email = coach.email
    console.print(f"added coach {email}; log in at the server with this address")
    return 0


def run_users_list(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform serve users list``."""
    from sqlalchemy import func, select

    from runform.server.database import open_session
    from runform.server.models import Athlete, Coach

    factory = _open_database(build_settings(args))
    table = Table("id", "email", "name", "athletes", "created")
    with open_session(factory) as db:
        rows = db.execute(
            select(Coach, func.count(Athlete.id))
            .outerjoin(Athlete, Athlete.coach_id == Coach.id)
            .group_by(Coach.id)
            .order_by(Coach.email)
        ).all()
        for coach, athletes in rows:
            table.add_row(str(coach.id), coach.email, coach.name, str(athletes),
                          f"{coach.created:%Y-%m-%d}")  # fmt: skip
    if rows:
        console.print(table)
    else:
        console.print("no coaches yet: add one with `runform serve users add EMAIL`")
    return 0


@contextlib.contextmanager
def lock_data_folder(data_dir: Path) -> Iterator[None]:
    """Hold ``DATA/server.lock`` while the block runs: one server per data folder.

    The lock (``flock``) belongs to this process: the kernel releases it
    when the process ends, however it ends, so a killed server leaves no
    stale lock. The file keeps the holder's pid, for the message.

    Raises
    ------
    RunformError
        When another process (a server already running) holds it.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    path = data_dir / LOCK_NAME
    with path.open("a+", encoding="utf-8") as stream:
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            stream.seek(0)
            holder = stream.read().strip() or "unknown"
            raise RunformError(f"another runform server (pid {holder}) is already using the "
                               f"data folder {data_dir.resolve()}",
                               hint="stop it first (Ctrl-C or kill -TERM), or start this one "
                               "with another --data") from None  # fmt: skip
        try:
            stream.truncate(0)
            stream.write(f"{os.getpid()}\n")
            stream.flush()
            yield
        finally:
            fcntl.flock(stream.fileno(), fcntl.LOCK_UN)


def bind_listening_socket(host: str, port: int) -> socket.socket:
    """Bind the server's socket now, before the app starts: a port in use is one clear line.

    Raises
    ------
    RunformError
        When the address cannot be bound (in use, not this machine's, no permission).
    """
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]  # fmt: skip
        sock = socket.socket(family, kind, proto)
    except OSError as error:
        raise RunformError(f"cannot listen on {host}:{port}: {error.strerror or error}",
                           hint="check --host") from error  # fmt: skip
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            why = "the port is already in use (a server already running?)"
        else:
            why = error.strerror or str(error)
        hint = "stop what uses it, or choose another --port"
        raise RunformError(f"cannot listen on {host}:{port}: {why}", hint=hint) from error
    sock.set_inheritable(False)
    return sock


def redact_link_tokens(path: str) -> str:
    """Replace the token of an athlete's link in a request path by ``<link>``."""
    return _LINK_TOKEN.sub(r"\1/a/<link>", path)


class _RedactLinks(logging.Filter):
    """A filter for ``uvicorn.access``: the logged path never shows an athlete's link."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_link_tokens(args[2]), *args[3:])
        return True


def _configure_logging(stream: IO[str]) -> None:
    """Show runform's own server messages (start-up recovery, stopped jobs) like uvicorn's."""
    from uvicorn.logging import DefaultFormatter

    access = logging.getLogger("uvicorn.access")  # uvicorn's logging set-up keeps its filters
    if not any(isinstance(f, _RedactLinks) for f in access.filters):
        access.addFilter(_RedactLinks())
    logger = logging.getLogger("runform")
    for old in [h for h in logger.handlers if getattr(h, "runform_serve", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(DefaultFormatter("%(levelprefix)s %(message)s"))
    handler.runform_serve = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def run_serve(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform serve``: the web application under uvicorn until interrupted."""
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from runform.server.app import create_app

    settings = build_settings(args)
    with contextlib.ExitStack() as held:  # the port, then the folder, before anything changes
        sock = held.enter_context(bind_listening_socket(settings.host, settings.port))
        make_data_folder(settings.data_dir)
        held.enter_context(lock_data_folder(settings.data_dir))
        _configure_logging(sys.stderr)
        try:
            app = create_app(settings)
        except SQLAlchemyError as error:
            raise _explain_database_error(settings.url, error) from error
        port = sock.getsockname()[1]
        console.print(f"runform coach server: data in {settings.data_dir.resolve()}, database "
                      f"{_describe_url(settings.url)}", soft_wrap=True)  # fmt: skip
        console.print(f"listening on http://{settings.host}:{port} (the API's documentation: "
                      "/docs); Ctrl-C stops it", soft_wrap=True)  # fmt: skip
        _warn_without_coaches(app, console)
        config = uvicorn.Config(app, host=settings.host, port=port, proxy_headers=True,
                                forwarded_allow_ips=args.forwarded_allow_ips,
                                log_level="info")  # fmt: skip
        server = uvicorn.Server(config)
        with _signals_end_serving():
            server.run(sockets=[sock])
    if not server.started:
        raise RunformError("the server did not start; see the messages above")
    console.print("runform coach server stopped")
    return 0


def _warn_without_coaches(app: Any, console: Console) -> None:
    """Say how to add the first coach when there is none (nobody could log in)."""
    from runform.server.auth import count_coaches
    from runform.server.database import open_session

    with open_session(app.state.context.sessions) as db:
        if count_coaches(db) == 0:
            console.print("no coach can log in yet: add one with `runform serve --data DIR "
                          "users add EMAIL` (while this runs, too)", soft_wrap=True)  # fmt: skip


@contextlib.contextmanager
def _signals_end_serving() -> Iterator[None]:
    """Let Ctrl-C and SIGTERM end the server as a normal exit (status 0).

    uvicorn handles both signals itself (a graceful shutdown, which stops
    the workers) and raises the signal again once it has stopped; it is
    ignored here instead of ending the command as interrupted.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {text}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port 0-65535, got {text}")
    return value


def _add_storage_options(parser: argparse.ArgumentParser, repeated: bool) -> None:
    """Add ``--data`` and ``--database-url`` (``repeated``: after ``users ACTION``, no defaults)."""
    parser.add_argument("--data", type=Path,
                        default=argparse.SUPPRESS if repeated else DEFAULT_DATA,
                        help=f"the data folder (default: ./{DEFAULT_DATA})")  # fmt: skip
    parser.add_argument("--database-url", default=argparse.SUPPRESS if repeated else None,
                        help="SQLAlchemy URL of a PostgreSQL database "
                        "(default: SQLite in the data folder)")  # fmt: skip


def add_serve_parser(sub: Any) -> None:
    """Register ``runform serve`` and ``runform serve users``."""
    serve = sub.add_parser(
        "serve",
        help="run the coach server (athletes upload, analyses run)",
        description="Run the self-hosted coach server; see docs/server.md.",
    )
    _add_storage_options(serve, repeated=False)
    options: list[tuple[str, dict[str, Any]]] = [
        ("--host", {"help": "address to listen on (default: 127.0.0.1, this machine only)"}),
        ("--port", {"type": _port, "help": f"port to listen on (default: {DEFAULT_PORT})"}),
        ("--workers", {"type": _non_negative_int,
                       "help": "analyses run at once (default: 1; 0: none, jobs wait)"}),
        ("--max-upload-mb", {"type": positive_float,
                             "help": "largest upload accepted, MB (default: 1074, 1 GiB)"}),
        ("--scheduler", {"help": "run the analyses on this Dask scheduler (tcp://HOST:PORT)"}),
        ("--secure-cookies", {"action": "store_true",
                              "help": "mark login cookies Secure (served over HTTPS by a proxy)"}),
        ("--forwarded-allow-ips", {"default": "127.0.0.1",
                                   "help": "proxies whose X-Forwarded-For and -Proto are "
                                   "trusted (default: 127.0.0.1)"}),
    ]  # fmt: skip
    for flag, settings in options:
        serve.add_argument(flag, **settings)
    serve.set_defaults(handler=run_serve)
    actions = serve.add_subparsers(dest="serve_command", metavar="ACTION")
    users = actions.add_parser("users", help="coach accounts")
    user_actions = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = user_actions.add_parser("add", help="add a coach (the password is asked twice)")
    add.add_argument("email", help="the coach's email address (their login)")
    add.add_argument("--name", help="the coach's name")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")  # fmt: skip
    _add_storage_options(add, repeated=True)
    add.set_defaults(handler=run_users_add)
    listing = user_actions.add_parser("list", help="list the coaches")
    _add_storage_options(listing, repeated=True)
    listing.set_defaults(handler=run_users_list)
