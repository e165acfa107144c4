"""The server's JSON API, one module per resource (OpenAPI at ``/docs`` and ``/openapi.json``).

- :mod:`.account`: ``/api/login``, ``/api/logout``, ``/api/me``;
- :mod:`.athletes`: the roster, private links, deletion, export;
- :mod:`.sessions`: uploads, job status, cancel, retry;
- :mod:`.results`: the analysis, its artifacts, the uploaded video;
- :mod:`.reports`: comparisons and progress;
- :mod:`.notes`: notes pinned to a video time;
- :mod:`.link`: what an athlete reaches through their link (``/api/a/{token}``).
"""

from __future__ import annotations

from fastapi import FastAPI

__all__ = ["include_routes"]


def include_routes(app: FastAPI) -> None:
    """Add every API route to ``app``."""
    from runform.server.routes import account, athletes, link, notes, reports, results, sessions

    for module in (account, athletes, sessions, results, reports, notes, link):
        app.include_router(module.router)
