"""The coach's session page and the comparison of two sessions.

The session page shows, from the same ``analysis.json`` as ``report.html``:
the capture warnings first, the annotated video with the checkpoint moments
and the coach's notes as markers on its timeline, the notes, the focus and
its drills, the key frames, the checkpoint table and the plots. The
comparison plays the two annotated videos side by side, aligned on a
landing, and lists every change with its minimal detectable change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from pydantic import ValidationError
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from runform.server.context import AppContext, ContextDep
from runform.server.database import open_session
from runform.server.models import Job, Session
from runform.server.routes.common import Scope, describe_note, find_session, list_note_rows
from runform.server.routes.notes import post_note
from runform.server.routes.schemas import NoteIn
from runform.server.routes.sessions import cancel_job, retry_job
from runform.server.web.digest import list_moments, read_digest
from runform.server.web.render import CoachPage, check_form_token, render_page

__all__ = ["describe_checkpoints", "list_warnings", "router"]

router = APIRouter(include_in_schema=False)

FormToken = Annotated[str, Form(alias="csrf_token")]


def list_warnings(digest: dict[str, Any] | None, job_warnings: list[str]) -> list[str]:
    """List the capture and input warnings of an analysis, then the job's, each once."""
    found: list[str] = []
    if digest is not None:
        found += list((digest.get("capture") or {}).get("warnings") or [])
        found += list(digest.get("input_warnings") or [])
    found += job_warnings
    return list(dict.fromkeys(str(w) for w in found if w))


def describe_checkpoints(digest: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the checkpoint table's rows: name, element, value ± uncertainty, target, status."""
    rows = []
    for c in digest.get("checkpoints") or []:
        target = c.get("target")
        rows.append(
            {
                **c,
                "target_text": (
                    f"{target[0]:g} to {target[1]:g}"
                    if isinstance(target, list) and len(target) == 2
                    else ""
                ),
            }
        )
    return rows


def _load_session(context: AppContext, scope: Scope, session_id: int) -> dict[str, Any]:
    """Load the session, its job, notes and digest, inside the scope (404 outside)."""
    with open_session(context.sessions) as db:
        session = find_session(db, scope, session_id)
        job = session.job
        athlete = session.athlete
        notes = [describe_note(n) for n in list_note_rows(db, session.id)]
        db.expunge_all()
    digest = read_digest(context, session) if job is not None and job.state == "done" else None
    folder = Path(context.settings.data_dir) / session.result_path
    job_warnings: list[str] = []
    if job is not None and job.warnings:
        try:
            job_warnings = [str(w) for w in json.loads(job.warnings)]
        except ValueError:
            job_warnings = job.warnings.splitlines()
    return {
        "session": session,
        "job": job,
        "athlete": athlete,
        "notes": notes,
        "digest": digest,
        "warnings": list_warnings(digest, job_warnings),
        "moments": list_moments(digest) if digest else [],
        "checkpoints": describe_checkpoints(digest) if digest else [],
        "plots": sorted(p.name for p in (folder / "plots").glob("*.png")) if digest else [],
        "has": {
            name: (folder / name).is_file()
            for name in ("annotated.mp4", "keyframes.png", "report.html")
        },
    }


def _others(context: AppContext, scope: Scope, athlete_id: int, session_id: int) -> list[Any]:
    with open_session(context.sessions) as db:
        rows = list(
            db.scalars(
                select(Session)
                .join(Job, Job.session_id == Session.id)
                .where(
                    Session.athlete_id == athlete_id, Session.id != session_id, Job.state == "done"
                )
                .order_by(Session.session_date, Session.id)
            )
        )
        db.expunge_all()
    return rows


@router.get("/sessions/{session_id}")
def get_session_page(
    request: Request, session_id: int, coach: CoachPage, context: ContextDep, error: str = ""
) -> Response:
    """Show a session: warnings, video, notes, focus, key frames, checkpoints, plots."""
    scope = Scope(coach_id=coach.coach_id)
    values = _load_session(context, scope, session_id)
    others = _others(context, scope, values["athlete"].id, session_id) if values["digest"] else []
    return render_page(
        request,
        "session.html.j2",
        coach=coach,
        others=others,
        error=error,
        base=f"/api/sessions/{session_id}/files",
        **values,
    )


@router.post("/sessions/{session_id}/notes")
def post_note_form(
    request: Request,
    session_id: int,
    coach: CoachPage,
    context: ContextDep,
    csrf_token: FormToken,
    text: Annotated[str, Form()],
    time_s: Annotated[str, Form()] = "",
) -> Response:
    """Pin a note to a video time (empty time: the whole session); the athlete sees it."""
    check_form_token(coach, csrf_token)
    try:
        time = float(time_s) if time_s.strip() else None
        body = NoteIn(text=text.strip(), time_s=time)
    except (ValueError, ValidationError):
        return get_session_page(
            request,
            session_id,
            coach,
            context,
            error="write a note; its time is in seconds, 0 or more",
        )
    post_note(session_id, body, coach, context)
    return RedirectResponse(f"/sessions/{session_id}#notes", status_code=303)


@router.post("/sessions/{session_id}/retry")
def post_retry_form(
    request: Request,
    session_id: int,
    coach: CoachPage,
    context: ContextDep,
    csrf_token: FormToken,
) -> Response:
    """Queue a failed or cancelled analysis again."""
    check_form_token(coach, csrf_token)
    retry_job(request, session_id, coach, context)
    return RedirectResponse(f"/sessions/{session_id}", status_code=303)


@router.post("/sessions/{session_id}/cancel")
def post_cancel_form(
    request: Request,
    session_id: int,
    coach: CoachPage,
    context: ContextDep,
    csrf_token: FormToken,
) -> Response:
    """Cancel a queued or running analysis."""
    check_form_token(coach, csrf_token)
    cancel_job(session_id, coach, context)
    return RedirectResponse("/jobs", status_code=303)


@router.get("/compare")
def get_compare_page(
    request: Request, a: int, b: int, coach: CoachPage, context: ContextDep
) -> Response:
    """Two sessions side by side, aligned on a landing, with every change judged by its MDC."""
    scope = Scope(coach_id=coach.coach_id)
    first = _load_session(context, scope, a)
    second = _load_session(context, scope, b)
    if first["digest"] is None or second["digest"] is None:
        raise HTTPException(409, "both sessions need an analysis before they can be compared")
    from runform.report.side_by_side import first_landing
    from runform.server.routes.reports import build_comparison

    folder = build_comparison(context, scope, a, b)
    comparison = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
    offsets = [
        first_landing(v["digest"] or {}) * float((v["digest"] or {}).get("slowmo") or 1)
        for v in (first, second)
    ]
    return render_page(
        request,
        "compare.html.j2",
        coach=coach,
        first=first,
        second=second,
        comparison=comparison,
        offsets=offsets,
        files=f"/api/sessions/{a}/compare/{b}/files",
        has_side_by_side=(folder / "side_by_side.mp4").is_file(),
    )
