"""The coach server's settings: one frozen object, each default stated once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runform.errors import RunformError

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "ServerSettings"]

#: Loopback only unless told otherwise: a coach server is reached through a proxy.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: Largest upload accepted, bytes (a 4K phone clip of a minute is about 400 MB).
DEFAULT_MAX_UPLOAD_BYTES = 1 << 30
#: Analyses run at once by default.
DEFAULT_WORKERS = 1
#: Name of the SQLite database inside the data folder.
SQLITE_NAME = "runform.sqlite3"


@dataclass(frozen=True)
class ServerSettings:
    """Everything the server needs to run.

    Attributes
    ----------
    data_dir
        The data folder: database (SQLite), uploads and results. It is
        self-contained: copying it (with the server stopped) is a backup.
    database_url
        SQLAlchemy URL; ``None`` is SQLite in ``data_dir``. PostgreSQL:
        ``postgresql+psycopg://user:password@host/db``.
    host, port
        Where to listen (loopback by default).
    workers
        Analyses run at once (one worker process each).
    max_upload_bytes
        Larger uploads are refused with HTTP 413.
    scheduler
        A Dask scheduler address to run the analyses on instead of local
        worker processes.
    secure_cookies
        Mark session cookies ``Secure`` (when served over HTTPS, e.g.
        behind a reverse proxy with TLS).
    """

    data_dir: Path
    database_url: str | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = DEFAULT_WORKERS
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    scheduler: str | None = None
    secure_cookies: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise RunformError(f"the port must be 0-65535, got {self.port}")
        if self.workers < 0:
            raise RunformError(f"workers must be 0 or more, got {self.workers}")
        if self.max_upload_bytes < 1:
            raise RunformError(f"the upload limit must be positive, got {self.max_upload_bytes}")

    @property
    def url(self) -> str:
        """The database URL (SQLite in the data folder unless one was given)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / SQLITE_NAME).resolve()}"

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded videos are kept, one folder per athlete."""
        return self.data_dir / "uploads"

    @property
    def results_dir(self) -> Path:
        """Where each session's analysis is written."""
        return self.data_dir / "results"

    @property
    def scratch_dir(self) -> Path:
        """Where uploads stream to before they are accepted (same file system)."""
        return self.data_dir / "scratch"
