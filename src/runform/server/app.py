"""The coach server's web application: :func:`create_app` builds it from the settings.

Building the app brings the database schema up to date, empties
``scratch/`` of uploads a crash cut off, and finishes or undoes removals a
crash interrupted (:func:`runform.server.files.recover_trash`). Starting it
(its lifespan) starts the analysis workers (``app.state.workers``) unless
told not to; an accepted upload or a retried job wakes them; stopping the
app stops them and closes the database.

Every answer carries ``X-Content-Type-Options: nosniff``,
``Referrer-Policy: no-referrer`` (an athlete's link must not leak through
the ``Referer`` of a page they open) and ``X-Frame-Options: SAMEORIGIN``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runform import __version__
from runform.server.config import ServerSettings
from runform.server.context import AppContext, WorkerPool
from runform.server.database import create_database_engine, migrate, open_session
from runform.server.files import clear_scratch, recover_trash
from runform.server.models import Athlete, Session
from runform.server.routes import include_routes
from runform.server.uploads import UploadRefused
from runform.server.web import include_pages

__all__ = ["SECURITY_HEADERS", "create_app"]

logger = logging.getLogger("runform.server")

#: Headers added to every answer.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"SAMEORIGIN"),
)


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _recover_data_folder(context: AppContext) -> None:
    """Empty scratch and settle the removals a crash interrupted."""
    tables: dict[str, Any] = {"athletes": Athlete, "sessions": Session}

    def row_exists(table: str, row_id: int) -> bool:
        model = tables.get(table)
        if model is None:
            return False
        with open_session(context.sessions) as db:
            return db.scalar(select(model.id).where(model.id == row_id)) is not None

    scratch = clear_scratch(context.settings)
    trash = recover_trash(context.settings, row_exists)
    if scratch or trash:
        logger.info("removed %d unfinished upload(s) and settled %d interrupted removal(s)",
                    scratch, trash)  # fmt: skip


def _start_worker_pool(settings: ServerSettings) -> WorkerPool:
    """Start the analysis workers (:mod:`runform.server.workers`)."""
    from runform.server.workers import start_workers

    pool: WorkerPool = start_workers(settings)
    return pool


async def _refuse_upload(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, UploadRefused)
    body: dict[str, Any] = {"detail": error.message}
    if error.hint:
        body["hint"] = error.hint
    if error.session_id is not None:
        body["session_id"] = error.session_id
    return JSONResponse(body, status_code=error.status_code)


async def _ignore_disconnect(_request: Request, _error: Exception) -> JSONResponse:
    return JSONResponse({"detail": "the client went away"}, status_code=400)


def create_app(settings: ServerSettings, *, start_workers: bool = True) -> FastAPI:
    """Build the coach server's application.

    Parameters
    ----------
    settings
        The data folder, the database and the limits.
    start_workers
        Start the analysis workers with the app (tests pass ``False`` and
        leave the jobs queued).

    Returns
    -------
    FastAPI
        The app; its :class:`~runform.server.context.AppContext` is in
        ``app.state.context``.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_database_engine(settings.url)
    migrate(engine)
    context = AppContext(settings, engine, sessionmaker(engine))
    _recover_data_folder(context)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        pool = _start_worker_pool(settings) if start_workers else None
        _app.state.workers = pool
        try:
            yield
        finally:
            _app.state.workers = None
            if pool is not None:
                pool.stop()
            engine.dispose()

    app = FastAPI(
        title="runform coach server",
        version=__version__,
        summary="Athletes upload running videos; the Pose Method analysis runs by itself.",
        lifespan=lifespan,
    )
    app.state.context = context
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(UploadRefused, _refuse_upload)
    app.add_exception_handler(ClientDisconnect, _ignore_disconnect)
    include_routes(app)
    include_pages(app)
    return app
