"""``runform serve``: the coach server, and ``runform serve users``: its coach accounts.

``runform serve [--data DIR] [--host H] [--port N] ...`` runs the web
application (:func:`runform.server.app.create_app`) with uvicorn.
``runform serve users add EMAIL [--name NAME] [--password-stdin]`` adds a
coach (the password is asked twice, or read from the first line of
standard input); ``runform serve users list`` lists them. Both take the
same ``--data`` and ``--database-url`` as the server.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

__all__ = ["add_serve_parser", "build_settings"]

#: Where the data folder is unless ``--data`` says otherwise (relative to the current folder).
DEFAULT_DATA = Path("runform-data")


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


def _open_database(settings: ServerSettings) -> sessionmaker[DbSession]:
    """Return a sessionmaker on the migrated database, or raise a one-line error."""
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import sessionmaker

    from runform.server.database import create_database_engine, migrate

    settings.data_dir.mkdir(parents=True, exist_ok=True)
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


def run_serve(args: argparse.Namespace, console: Console) -> int:
    """Run ``runform serve``: the web application under uvicorn until interrupted."""
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from runform.server.app import create_app

    settings = build_settings(args)
    try:
        app = create_app(settings)
    except SQLAlchemyError as error:
        raise _explain_database_error(settings.url, error) from error
    console.print(f"runform coach server: data in {settings.data_dir.resolve()}, database "
                  f"{_describe_url(settings.url)}")  # fmt: skip
    console.print(f"API and its documentation at http://{settings.host}:{settings.port}/docs")
    with _signals_end_serving():
        uvicorn.run(app, host=settings.host, port=settings.port, proxy_headers=True,
                    forwarded_allow_ips=args.forwarded_allow_ips, log_level="info")  # fmt: skip
    console.print("runform coach server stopped")
    return 0


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
