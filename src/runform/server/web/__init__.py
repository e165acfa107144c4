"""The coach's and the athlete's web pages, on top of the JSON API.

- :mod:`.coach`: log in, the roster, an athlete, the jobs;
- :mod:`.sessions`: a session (video with its moments, notes, key frames,
  checkpoints, plots) and the comparison of two sessions;
- :mod:`.athlete`: what an athlete sees through their private link
  (``/a/<token>``): the filming guide, the upload, their feedback;
- :mod:`.digest`: the small summary of an analysis the lists are made from;
- :mod:`.render`: the Jinja2 environment, page logins, form CSRF.

Server-rendered (Jinja2) with one small script (``static/runform.js``) for
the upload's progress, the live analysis progress and the video timeline.
No CDN, no external request: it works on a gym's offline network.
"""

from __future__ import annotations

import math
import re

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from runform.server.web.render import (
    STATIC,
    FormRefused,
    LoginRequired,
    build_page_environment,
    render_page,
)

__all__ = ["hide_folders", "include_pages"]

#: Absolute folders in a message (``/srv/data/cache/1/``): the file name stays.
_FOLDERS = re.compile(r"(?:/[^/\s'\"]+)+/")


def _is_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api/") or path in ("/docs", "/openapi.json", "/redoc"))


async def _redirect_to_login(request: Request, error: Exception) -> Response:
    assert isinstance(error, LoginRequired)
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(error.next_path, safe='/')}", status_code=303)


async def _refuse_form(request: Request, error: Exception) -> Response:
    return render_page(
        request, "error.html.j2", status_code=403, title="Form refused", message=str(error)
    )


async def _answer_error(request: Request, error: Exception) -> Response:
    """HTTP errors: an HTML page on the pages, the usual JSON on the API."""
    assert isinstance(error, StarletteHTTPException)
    if not _is_page(request) or error.status_code < 400:
        return await http_exception_handler(request, error)
    title = {404: "Not found", 409: "Not ready yet", 422: "Cannot do that"}.get(
        error.status_code, "Something went wrong"
    )
    return render_page(
        request,
        "error.html.j2",
        status_code=error.status_code,
        title=title,
        message=hide_folders(str(error.detail)),
        through_link=request.url.path.startswith("/a/"),
    )


def hide_folders(message: str) -> str:
    """Drop the folders from the paths in a message (a page must not show the server's)."""
    return _FOLDERS.sub("", message)


async def _refuse_invalid(request: Request, error: Exception) -> Response:
    """Answer a request that does not validate: pages 404 (a bad id) or 422; the API, JSON."""
    assert isinstance(error, RequestValidationError)
    if _is_page(request):
        in_path = request.method == "GET"  # a page address with a bad id: no such page
        status = 404 if in_path else 422
        message = "no such page" if in_path else "the form was not filled in as expected"
        return render_page(request, "error.html.j2", status_code=status,
                           title="Not found" if in_path else "Cannot do that", message=message,
                           through_link=request.url.path.startswith("/a/"))  # fmt: skip

    def finite(value: float) -> float | str:
        return value if math.isfinite(value) else str(value)

    detail = jsonable_encoder(error.errors(), custom_encoder={float: finite})
    return JSONResponse({"detail": detail}, status_code=422)


def include_pages(app: FastAPI) -> None:
    """Add the pages, their static files and their error answers to ``app``."""
    from runform.server.web import athlete, coach, sessions

    app.state.pages = build_page_environment()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(LoginRequired, _redirect_to_login)
    app.add_exception_handler(FormRefused, _refuse_form)
    app.add_exception_handler(StarletteHTTPException, _answer_error)
    app.add_exception_handler(RequestValidationError, _refuse_invalid)
    for module in (coach, sessions, athlete):
        app.include_router(module.router)
