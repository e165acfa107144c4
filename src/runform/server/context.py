"""What a running server holds: one object, kept in ``app.state.context``.

Nothing is global: :func:`runform.server.app.create_app` builds an
:class:`AppContext` and every route reaches it through the request
(:func:`get_context`), so two apps (two tests) never share anything.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated, Protocol

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from runform.server.config import ServerSettings

__all__ = ["AppContext", "ContextDep", "WorkerPool", "get_context", "wake_workers"]


@dataclass(frozen=True)
class AppContext:
    """The settings, the database and the locks of one server.

    Attributes
    ----------
    settings
        How the server was started.
    engine
        The database engine (disposed when the app stops).
    sessions
        Makes database sessions (see :func:`runform.server.database.open_session`).
    cache_lock
        Held while a comparison or progress report is written into the
        cache, so two requests never build the same report at once.
    """

    settings: ServerSettings
    engine: Engine
    sessions: sessionmaker[DbSession]
    cache_lock: threading.Lock = field(default_factory=threading.Lock)


def get_context(request: Request) -> AppContext:
    """Return the :class:`AppContext` of the app serving ``request``."""
    context: AppContext = request.app.state.context
    return context


#: A route parameter receiving the app's :class:`AppContext`.
ContextDep = Annotated[AppContext, Depends(get_context)]


class WorkerPool(Protocol):
    """The analysis workers once started (:class:`runform.server.workers.WorkerPool`)."""

    def wake(self) -> None:
        """Tell idle workers a job was queued."""

    def stop(self) -> None:
        """Stop the workers; the jobs they held are queued again."""


def wake_workers(request: Request) -> None:
    """Tell the app's workers (``app.state.workers``, if it started any) a job was queued."""
    pool: WorkerPool | None = getattr(request.app.state, "workers", None)
    if pool is not None:
        pool.wake()
