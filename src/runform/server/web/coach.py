"""The coach's pages: log in, the roster, an athlete, the jobs.

Each page reads through the same scoped look-ups as the JSON API
(:mod:`runform.server.routes.common`), so a coach reaches only their own
athletes, and anything else is a 404 page. Forms post here and redirect
(post/redirect/get); what they change is done by the API's own functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload
from starlette.responses import RedirectResponse, Response

from runform.server.auth import SESSION_COOKIE, LoginRefused, log_in, log_out, rotate_link
from runform.server.context import AppContext, ContextDep
from runform.server.database import open_session
from runform.server.models import Athlete, Job, Session
from runform.server.routes.account import attach_login_cookie, detach_login_cookie
from runform.server.routes.common import Scope, find_athlete, is_row_id
from runform.server.routes.schemas import AthleteIn
from runform.server.web.digest import SessionRef, Trend, is_running, judge_trend, read_digests
from runform.server.web.render import CoachPage, check_form_token, render_page

__all__ = [
    "AthleteBrief",
    "SessionBrief",
    "router",
    "summarise_athlete",
    "summarise_roster",
    "summarise_sessions",
]

router = APIRouter(include_in_schema=False)


class DatedSession(SessionRef, Protocol):
    """A session the summaries can order: with its date."""

    @property
    def session_date(self) -> dt.date | None:
        """When it was filmed (``None``: unknown)."""


S = TypeVar("S", bound=DatedSession)

FormText = Annotated[str, Form()]
FormToken = Annotated[str, Form(alias="csrf_token")]


def _safe_next(path: str) -> str:
    """Return the redirect target after logging in: a local path only (no open redirect)."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


@router.get("/")
def get_home(request: Request, context: ContextDep) -> Response:
    """Send the coach to their roster (the login page first when not logged in)."""
    return RedirectResponse("/roster", status_code=303)


@router.get("/login")
def get_login(request: Request, next: str = "/roster") -> Response:
    """Show the login form."""
    return render_page(request, "login.html.j2", next=_safe_next(next), error="")


@router.post("/login")
def post_login_form(
    request: Request,
    context: ContextDep,
    email: FormText,
    password: FormText,
    next: Annotated[str, Form()] = "/roster",
) -> Response:
    """Log in from the form: on success, to ``next``; else the form again with the reason."""
    address = request.client.host if request.client else "unknown"
    with open_session(context.sessions) as db:  # failed attempts are committed too
        try:
            login = log_in(db, email, password, address)
        except LoginRefused as refused:
            login, error, retry = None, str(refused), refused.retry_after_s
    if login is None:
        page = render_page(request, "login.html.j2", status_code=401 if retry is None else 429,
                           next=_safe_next(next), error=error, email=email)  # fmt: skip
        if retry is not None:
            page.headers["Retry-After"] = str(retry)
        return page
    response = RedirectResponse(_safe_next(next), status_code=303)
    attach_login_cookie(response, login, context.settings.secure_cookies)
    return response


@router.post("/logout")
def post_logout_form(
    request: Request, coach: CoachPage, context: ContextDep, csrf_token: FormToken
) -> Response:
    """Log out and go back to the login page."""
    check_form_token(coach, csrf_token)
    with open_session(context.sessions) as db:
        log_out(db, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    detach_login_cookie(response, context.settings.secure_cookies)
    return response


@dataclass(frozen=True)
class SessionBrief:
    """A session as the roster lists it (no ORM object: a roster may hold thousands)."""

    id: int
    athlete_id: int
    session_date: dt.date | None
    result_path: str
    state: str | None


@dataclass(frozen=True)
class AthleteBrief:
    """An athlete as the roster lists them."""

    id: int
    name: str
    baseline_session_id: int | None


def _first_readable(
    context: AppContext, candidates: Iterable[SessionRef], digests: dict[int, Any]
) -> SessionRef | None:
    """Return the first candidate whose analysis can be read, filling ``digests``."""
    for session in candidates:
        if session.id not in digests:
            digests.update(read_digests(context, [session]))
        if is_running(digests[session.id]):
            return session
    return None


def _oldest_first(sessions: Iterable[S]) -> list[S]:
    return sorted(sessions, key=lambda s: (s.session_date or dt.date.max, s.id))


def _pick_candidates(
    sessions: Sequence[S], states: Mapping[int, str | None], baseline_id: int | None
) -> list[S]:
    """List the sessions a summary reads: chosen baseline, earliest and latest analysed."""
    done = [s for s in sessions if states.get(s.id) == "done"]
    chosen = [s for s in done if s.id == baseline_id]
    return [*chosen, *done[:1], *done[-1:]]


def summarise_sessions(
    context: AppContext,
    athlete: Any,
    sessions: Sequence[S],
    states: Mapping[int, str | None],
    every_session: bool = False,
    digests: dict[int, Any] | None = None,
) -> dict[str, Any]:
    """Summarise one athlete's sessions for the roster and their pages.

    Parameters
    ----------
    context
        The server.
    athlete
        The athlete (shown as is; ``baseline_session_id`` is read).
    sessions
        Their sessions, oldest first.
    states
        Each session's job state, by session id (``done`` when analysed).
    every_session
        Read every analysed session's digest (the athlete page's table);
        else only the baseline's and the latest's (the roster).
    digests
        Digests already read, by session id (:func:`summarise_roster`).

    Returns
    -------
    dict
        The sessions, the digests read (by session id), the baseline (the
        coach's choice, else the earliest analysed session), the latest
        analysed session, its focus and the trend from the baseline, and
        how many analyses are queued or running.
    """
    done = [s for s in sessions if states.get(s.id) == "done"]
    digests = {} if digests is None else digests
    if every_session:
        digests.update(read_digests(context, [s for s in done if s.id not in digests]))
    chosen = [s for s in done if s.id == athlete.baseline_session_id]
    baseline = _first_readable(context, [*chosen, *done], digests)
    latest = _first_readable(context, reversed(done), digests)
    trend = Trend("no_analysis" if latest is None else "baseline_only")
    if baseline is not None and latest is not None and latest.id != baseline.id:
        trend = judge_trend(digests[baseline.id], digests[latest.id])
    latest_digest = digests[latest.id] if latest is not None else None
    return {
        "athlete": athlete,
        "sessions": list(sessions),
        "digests": digests,
        "baseline": baseline,
        "latest": latest,
        "last_date": max((s.session_date for s in sessions if s.session_date), default=None),
        "focus": (latest_digest or {}).get("focus") or [],
        "focus_empty": (latest_digest or {}).get("focus_empty"),
        "trend": trend,
        "active_jobs": sum(1 for s in sessions if states.get(s.id) in ("queued", "running")),
    }


def summarise_athlete(
    context: AppContext, athlete: Athlete, every_session: bool = False
) -> dict[str, Any]:
    """Summarise an athlete loaded with their sessions and jobs (see :func:`summarise_sessions`)."""
    sessions = _oldest_first(athlete.sessions)
    states = {s.id: (s.job.state if s.job is not None else None) for s in sessions}
    return summarise_sessions(context, athlete, sessions, states, every_session)


def summarise_roster(context: AppContext, coach_id: int) -> list[dict[str, Any]]:
    """Summarise every athlete of a coach's roster, by name.

    Two queries list the athletes and their sessions' dates and job states
    (no ORM rows: a roster may hold thousands of sessions) and one reads
    the digests of each athlete's baseline and latest analysed session.
    """
    with open_session(context.sessions) as db:
        athletes = [AthleteBrief(*row) for row in db.execute(
            select(Athlete.id, Athlete.name, Athlete.baseline_session_id)
            .where(Athlete.coach_id == coach_id).order_by(Athlete.name, Athlete.id))]  # fmt: skip
        briefs = [SessionBrief(*row) for row in db.execute(
            select(Session.id, Session.athlete_id, Session.session_date, Session.result_path,
                   Job.state)
            .join(Athlete, Athlete.id == Session.athlete_id)
            .outerjoin(Job, Job.session_id == Session.id)
            .where(Athlete.coach_id == coach_id))]  # fmt: skip
    by_athlete: dict[int, list[SessionBrief]] = {a.id: [] for a in athletes}
    for brief in _oldest_first(briefs):
        by_athlete[brief.athlete_id].append(brief)
    states = {b.id: b.state for b in briefs}
    wanted = [
        s
        for a in athletes
        for s in _pick_candidates(by_athlete[a.id], states, a.baseline_session_id)
    ]
    digests = read_digests(context, wanted)
    return [summarise_sessions(context, a, by_athlete[a.id], states, digests=dict(digests))
            for a in athletes]  # fmt: skip


def _load_athletes(context: AppContext, coach_id: int, athlete_id: int | None = None) -> list[Any]:
    with open_session(context.sessions) as db:
        query = (
            select(Athlete)
            .where(Athlete.coach_id == coach_id)
            .options(
                selectinload(Athlete.sessions).options(
                    defer(Session.digest), selectinload(Session.job)
                )
            )
            .order_by(Athlete.name, Athlete.id)
        )
        if athlete_id is not None:
            query = query.where(Athlete.id == athlete_id)
        athletes = list(db.scalars(query))
        db.expunge_all()
    return athletes


@router.get("/roster")
def get_roster(request: Request, coach: CoachPage, context: ContextDep) -> Response:
    """Show the roster: each athlete's last session, current focus and trend since the baseline."""
    rows = summarise_roster(context, coach.coach_id)
    return render_page(request, "roster.html.j2", coach=coach, rows=rows)


@router.post("/athletes")
def post_athlete_form(
    request: Request,
    coach: CoachPage,
    context: ContextDep,
    csrf_token: FormToken,
    name: FormText,
    height_cm: Annotated[str, Form()] = "",
) -> Response:
    """Add an athlete from the roster's form, then show their page."""
    check_form_token(coach, csrf_token)
    name = name.strip()
    height = None
    error = ""
    if height_cm.strip():
        try:
            height = float(height_cm)
        except ValueError:
            height = None
        if height is None or not 100 <= height <= 250:
            error = "the height must be between 100 and 250 cm"
    if not error:
        try:
            AthleteIn(name=name, height_cm=height)  # the API's rules for the same fields
        except ValidationError:
            error = "give the athlete a name: up to 200 characters, no control characters"
    if error:
        rows = summarise_roster(context, coach.coach_id)
        return render_page(
            request,
            "roster.html.j2",
            status_code=422,
            coach=coach,
            rows=rows,
            error=error,
            name=name,
            height_cm=height_cm,
        )
    with open_session(context.sessions) as db:
        athlete = Athlete(coach_id=coach.coach_id, name=name, height_cm=height)
        db.add(athlete)
        db.flush()
        athlete_id = athlete.id
    return RedirectResponse(f"/athletes/{athlete_id}", status_code=303)


def _athlete_page(
    request: Request, coach: Any, context: AppContext, athlete_id: int, **extra: Any
) -> Response:
    with open_session(context.sessions) as db:
        find_athlete(db, Scope(coach_id=coach.coach_id), athlete_id)  # 404 outside the roster
    athlete = _load_athletes(context, coach.coach_id, athlete_id)[0]
    summary = summarise_athlete(context, athlete, every_session=True)
    analysed = [s for s in summary["sessions"] if summary["digests"].get(s.id)]
    progress = None
    if len(analysed) >= 2:
        from runform.server.routes.reports import build_progress_report

        try:
            folder = build_progress_report(context, Scope(coach_id=coach.coach_id), athlete_id)
            progress = sorted(p.name for p in (folder / "plots").glob("*.png"))
        except HTTPException:
            progress = None
    return render_page(
        request,
        "athlete.html.j2",
        coach=coach,
        analysed=analysed,
        progress=progress,
        **summary,
        **extra,
    )


@router.get("/athletes/{athlete_id}")
def get_athlete_page(
    request: Request, athlete_id: int, coach: CoachPage, context: ContextDep
) -> Response:
    """Show an athlete: sessions, progress plots, the focus and its drills, the baseline."""
    return _athlete_page(request, coach, context, athlete_id)


@router.post("/athletes/{athlete_id}/link")
def post_link_form(
    request: Request,
    athlete_id: int,
    coach: CoachPage,
    context: ContextDep,
    csrf_token: FormToken,
) -> Response:
    """Make (or replace) the athlete's private link and show it this once."""
    check_form_token(coach, csrf_token)
    with open_session(context.sessions) as db:
        token = rotate_link(find_athlete(db, Scope(coach_id=coach.coach_id), athlete_id))
    link = str(request.base_url).rstrip("/") + f"/a/{quote(token, safe='')}"
    return _athlete_page(request, coach, context, athlete_id, new_link=link)


@router.post("/athletes/{athlete_id}/baseline")
def post_baseline_form(
    request: Request,
    athlete_id: int,
    coach: CoachPage,
    context: ContextDep,
    csrf_token: FormToken,
    session_id: Annotated[int, Form()],
) -> Response:
    """Make one of the athlete's analysed sessions their baseline."""
    check_form_token(coach, csrf_token)
    with open_session(context.sessions) as db:
        athlete = find_athlete(db, Scope(coach_id=coach.coach_id), athlete_id)
        if not is_row_id(session_id):
            raise HTTPException(404, "no such session")
        owned = db.scalar(
            select(Session.id).where(Session.id == session_id, Session.athlete_id == athlete.id)
        )
        if owned is None:
            raise HTTPException(404, "no such session")
        athlete.baseline_session_id = session_id
    return RedirectResponse(f"/athletes/{athlete_id}", status_code=303)


@router.get("/jobs")
def get_jobs(request: Request, coach: CoachPage, context: ContextDep) -> Response:
    """Every analysis of the coach's athletes that is queued, running or failed (newest first)."""
    with open_session(context.sessions) as db:
        rows = db.execute(
            select(Job, Session, Athlete)
            .join(Session, Session.id == Job.session_id)
            .join(Athlete, Athlete.id == Session.athlete_id)
            .where(
                Athlete.coach_id == coach.coach_id,
                Job.state.in_(("queued", "running", "failed", "cancelled")),
            )
            .order_by(Job.created.desc(), Job.id.desc())
            .limit(500)
        ).all()
        db.expunge_all()
    return render_page(request, "jobs.html.j2", coach=coach, rows=rows)
