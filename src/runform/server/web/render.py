"""Rendering the pages: the Jinja2 environment, the coach's page login, form CSRF.

Pages are rendered on the server (Jinja2, autoescaped: every text a user
typed is escaped) and work without JavaScript, except the upload's
progress bar and the live analysis progress, which ``static/runform.js``
adds. Forms are plain ``POST`` forms carrying the login's CSRF token in a
hidden ``csrf_token`` field; the same token is in a ``<meta>`` tag for the
script's calls to the JSON API (header ``X-CSRF-Token``).

A page asked for without a login redirects to ``/login?next=...``.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse

from runform import __version__
from runform.server.auth import SESSION_COOKIE, CoachIdentity, find_identity
from runform.server.context import ContextDep
from runform.server.database import open_session

__all__ = [
    "CoachPage",
    "LoginRequired",
    "build_page_environment",
    "check_form_token",
    "format_number",
    "render_page",
    "require_page_coach",
]

STATIC = Path(__file__).parent / "static"
#: How a checkpoint's status reads on a page (``fail`` is something to work on).
STATUS_TEXT = {
    "pass": "good",
    "warn": "close",
    "fail": "work on",
    "not_measured": "not measured",
    "observed": "observed",
}
#: How a trend against the baseline reads.
TREND_TEXT = {
    "improved": "improved",
    "regressed": "regressed",
    "mixed": "mixed",
    "no_clear_change": "no clear change",
    "not_comparable": "not comparable",
    "baseline_only": "baseline only",
    "no_analysis": "no running session analysed yet",
}


class LoginRequired(Exception):
    """A page was asked for without a valid login (answered with a redirect)."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class FormRefused(Exception):
    """A form was posted without the login's CSRF token (answered 403)."""


def format_number(value: Any, digits: int | None = None) -> str:
    """Format a number for a page: fewer decimals for larger values; ``—`` when missing."""
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    if digits is None:
        magnitude = abs(value)
        digits = 0 if magnitude >= 100 or magnitude == 0 else 2 if magnitude < 1 else 1
    return f"{value:.{digits}f}"


def _format_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "—" if value is None else str(value)


def build_page_environment() -> Environment:
    """Return the pages' Jinja2 environment (autoescaping on for every template)."""
    env = Environment(
        loader=PackageLoader("runform.server.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = format_number
    env.filters["date"] = _format_date
    env.filters["status_text"] = lambda status: STATUS_TEXT.get(status, status or "")
    env.filters["trend_text"] = lambda verdict: TREND_TEXT.get(verdict, verdict or "")
    env.filters["unit"] = lambda unit: "" if unit in (None, "1") else unit
    env.filters["urlquote"] = lambda text: quote(str(text), safe="")
    env.globals["version"] = __version__
    return env


def render_page(
    request: Request, template: str, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """Render a page with the app's environment (``request`` and ``values`` in its context)."""
    env: Environment = request.app.state.pages
    html = env.get_template(template).render(request=request, **values)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def require_page_coach(request: Request, context: ContextDep) -> CoachIdentity:
    """FastAPI dependency of the coach's pages: the logged-in coach, else a redirect to log in."""
    token = request.cookies.get(SESSION_COOKIE)
    identity = None
    if token:
        with open_session(context.sessions) as db:
            identity = find_identity(db, token)
    if identity is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return identity


#: A page route parameter receiving the logged-in coach.
CoachPage = Annotated[CoachIdentity, Depends(require_page_coach)]


def check_form_token(coach: CoachIdentity, sent: str) -> None:
    """Refuse a posted form whose ``csrf_token`` is not this login's.

    Raises
    ------
    FormRefused
        When the token is missing or wrong.
    """
    if not secrets.compare_digest(sent.encode(), coach.csrf_token.encode()):
        raise FormRefused("this form has expired or did not come from runform; reload the page")
