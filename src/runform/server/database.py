"""The coach server's database: engine, sessions and migrations.

SQLite (the default, a file in the data folder) runs with foreign keys on
and a write-ahead log, so the API reads while a worker writes; PostgreSQL
is used as it is. The schema is brought to the newest revision with
Alembic at every start (:func:`migrate`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from runform import __version__
from runform.errors import RunformError

__all__ = ["MIGRATIONS", "create_database_engine", "migrate", "open_session"]

#: The Alembic scripts folder.
MIGRATIONS = Path(__file__).with_name("migrations")
#: How long SQLite waits for a lock held by another process, s.
SQLITE_BUSY_S = 30


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_S * 1000}")
    cursor.close()


def create_database_engine(url: str) -> Engine:
    """Create the engine for ``url`` (SQLite: foreign keys, WAL, a busy timeout)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_S})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (creating it on first use).

    Raises
    ------
    RunformError
        When the database is at a revision this runform does not know: it
        was used by a newer runform (going back is not supported).
    """
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    with engine.begin() as connection:
        for revision in MigrationContext.configure(connection).get_current_heads():
            try:
                script.get_revision(revision)
            except CommandError:
                raise RunformError(
                    f"the database is at schema revision {revision}, which this runform "
                    f"({__version__}, up to {', '.join(script.get_heads())}) does not know: "
                    "a newer runform used it",
                    hint="upgrade runform, or restore the backup made before the upgrade",
                ) from None
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def open_session(factory: sessionmaker[DbSession]) -> Iterator[DbSession]:
    """Open a database session that commits when the block succeeds, else rolls back."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
