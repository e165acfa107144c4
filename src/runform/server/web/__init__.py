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

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from runform.server.web.render import (
    STATIC,
    FormRefused,
    LoginRequired,
    build_page_environment,
    render_page,
)

__all__ = ["include_pages"]


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
        message=str(error.detail),
        through_link=request.url.path.startswith("/a/"),
    )


def include_pages(app: FastAPI) -> None:
    """Add the pages, their static files and their error answers to ``app``."""
    from runform.server.web import athlete, coach, sessions

    app.state.pages = build_page_environment()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(LoginRequired, _redirect_to_login)
    app.add_exception_handler(FormRefused, _refuse_form)
    app.add_exception_handler(StarletteHTTPException, _answer_error)
    for module in (coach, sessions, athlete):
        app.include_router(module.router)
