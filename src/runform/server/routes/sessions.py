"""Sessions: uploads, their analysis jobs (status, cancel, retry) and removal.

An upload is the raw request body (``Content-Type: video/mp4`` or
``application/octet-stream``), with the file name in the ``filename``
query parameter (or an ``X-Filename`` header), and optionally ``date``
(``YYYY-MM-DD``, used when the recording states none) and ``drill``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, cast

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from sqlalchemy import CursorResult, Update, update
from sqlalchemy.orm import Session as DbSession
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from runform.server.auth import CoachDep, CoachIdentity
from runform.server.context import AppContext, ContextDep, wake_workers
from runform.server.database import open_session
from runform.server.files import (
    athlete_cache_dir,
    discard_trash,
    move_aside,
    remove_atomically,
    restore_trash,
)
from runform.server.models import Athlete, Job, Session, now_utc
from runform.server.routes.common import (
    Scope,
    describe_session,
    find_athlete,
    find_session,
    list_session_rows,
)
from runform.server.routes.schemas import SessionOut
from runform.server.uploads import (
    UploadDetails,
    UploadRefused,
    accept_upload,
    receive_upload,
    refuse_too_large,
)

__all__ = ["list_sessions", "read_session", "router", "upload_session"]

router = APIRouter(prefix="/api", tags=["sessions"])

#: The request body of an upload, for the OpenAPI document.
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "the video file itself, as the raw body",
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "video/mp4": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
FilenameQuery = Annotated[str | None, Query(max_length=255, description="the video's file name")]
DateQuery = Annotated[
    dt.date | None, Query(description="when it was filmed, if the recording does not say")
]
DrillQuery = Annotated[
    str | None, Query(max_length=40, description="score it as this in-place drill")
]


def list_sessions(context: AppContext, scope: Scope, athlete_id: int) -> list[SessionOut]:
    """Return an athlete's sessions, newest first (404 outside the scope)."""
    with open_session(context.sessions) as db:
        athlete = find_athlete(db, scope, athlete_id)
        return [describe_session(s) for s in list_session_rows(db, athlete.id)]


def read_session(context: AppContext, scope: Scope, session_id: int) -> SessionOut:
    """Return one session with its job (404 outside the scope)."""
    with open_session(context.sessions) as db:
        return describe_session(find_session(db, scope, session_id))


def _check_declared_size(request: Request, limit_bytes: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit_bytes:
        raise refuse_too_large(limit_bytes)


#: Bodies that are forms, not a video: what ``curl -F`` and ``curl -d`` send.
_FORM_TYPES = {
    "multipart/form-data": "a multipart form (curl -F, an HTML form)",
    "application/x-www-form-urlencoded": "form data (curl -d, which also drops line breaks)",
}


def _refuse_forms(request: Request) -> None:
    """Refuse (415) a body sent as a form: the server takes the video itself as the body."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in _FORM_TYPES:
        raise UploadRefused(415, f"the upload was sent as {_FORM_TYPES[media_type]}; "
                            "send the video itself as the request body",
                            hint="curl --data-binary @run.mp4 -H 'Content-Type: video/mp4' "
                            "'URL?filename=run.mp4'")  # fmt: skip


def _find_athlete_id(context: AppContext, scope: Scope, athlete_id: int) -> int:
    with open_session(context.sessions) as db:
        return find_athlete(db, scope, athlete_id).id


async def upload_session(
    request: Request,
    context: AppContext,
    scope: Scope,
    athlete_id: int,
    filename: str | None,
    date: dt.date | None,
    drill: str | None,
) -> JSONResponse:
    """Receive, check and keep an upload as a new session with a queued job.

    The athlete is looked up (404) before a byte of the body is read, and
    a declared ``Content-Length`` over the limit is refused (413) at once.
    Answers 201 with the session; refusals are
    :class:`runform.server.uploads.UploadRefused` (413, 415 for a form
    instead of the video itself, 422, 409).
    """
    athlete_id = await run_in_threadpool(_find_athlete_id, context, scope, athlete_id)
    _refuse_forms(request)
    limit = context.settings.max_upload_bytes
    _check_declared_size(request, limit)
    name = filename or request.headers.get("x-filename") or "video.mp4"
    received = await receive_upload(request.stream(), context.settings.scratch_dir, limit)
    details = UploadDetails(athlete_id, name, date, drill or None)
    session_id = await run_in_threadpool(accept_upload, context, received, details)
    wake_workers(request)
    session = await run_in_threadpool(read_session, context, scope, session_id)
    return JSONResponse(jsonable_encoder(session), status_code=201,
                        headers={"Location": f"/api/sessions/{session_id}"})  # fmt: skip


@router.get("/athletes/{athlete_id}/sessions", response_model=list[SessionOut])
def get_sessions(
    athlete_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> list[SessionOut]:
    """List an athlete's sessions with the state of each analysis, newest first."""
    return list_sessions(context, Scope(coach_id=coach.coach_id), athlete_id)


@router.post(
    "/athletes/{athlete_id}/sessions",
    status_code=201,
    response_model=SessionOut,
    openapi_extra=UPLOAD_BODY,
    responses={409: {"description": "already uploaded (session_id names it)"},
               413: {"description": "larger than the limit"},
               415: {"description": "a form (curl -F or -d), not the video as the body"},
               422: {"description": "not a video runform can read"}},
)  # fmt: skip
async def post_session(
    request: Request,
    athlete_id: int,
    coach: CoachDep,
    context: ContextDep,
    filename: FilenameQuery = None,
    date: DateQuery = None,
    drill: DrillQuery = None,
) -> JSONResponse:
    """Upload a video for an athlete (the raw body); its analysis is queued."""
    scope = Scope(coach_id=coach.coach_id)
    return await upload_session(request, context, scope, athlete_id, filename, date, drill)


@router.get("/sessions/{session_id}", response_model=SessionOut)
def get_session(
    session_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> SessionOut:
    """Get a session with its job: state, stage, frames done out of the total, outcome."""
    return read_session(context, Scope(coach_id=coach.coach_id), session_id)


@router.delete("/sessions/{session_id}", status_code=204)
def delete_session(
    session_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> None:
    """Delete a session: its video, its analysis, its notes (a running job is told to stop)."""
    settings = context.settings
    with open_session(context.sessions) as db:
        session = find_session(db, Scope(coach_id=coach.coach_id), session_id)
        db.execute(update(Job).where(Job.session_id == session.id, Job.state == "running")
                   .values(cancel_requested=True))  # fmt: skip
        paths = [settings.data_dir / session.video_path, settings.data_dir / session.result_path]
        athlete_id = session.athlete_id
        db.delete(session)
        db.execute(update(Athlete).where(Athlete.baseline_session_id == session_id)
                   .values(baseline_session_id=None))  # SQLite reuses a deleted id  # fmt: skip
        db.flush()
        entry = move_aside(settings, "sessions", session_id, paths)
        try:
            db.commit()
        except BaseException:
            restore_trash(settings, entry)
            raise
    discard_trash(entry)
    remove_atomically(settings, athlete_cache_dir(settings, athlete_id))


def _count_changed(db: DbSession, statement: Update) -> int:
    """Run an UPDATE and return how many rows it changed."""
    result = cast("CursorResult[Any]", db.execute(statement))
    return int(result.rowcount)


def _change_job(context: AppContext, coach: CoachIdentity, session_id: int, cancel: bool) -> None:
    """Cancel or retry with one conditional UPDATE each, so a worker's claim cannot race it."""
    with open_session(context.sessions) as db:
        session = find_session(db, Scope(coach_id=coach.coach_id), session_id)
        job = session.job
        if job is None:
            raise HTTPException(409, "this session has no analysis job")
        where = Job.id == job.id
        if cancel:
            queued = update(Job).where(where, Job.state == "queued")
            running = update(Job).where(where, Job.state == "running")
            changed = _count_changed(db, queued.values(state="cancelled", finished=now_utc()))
            changed = changed or _count_changed(db, running.values(cancel_requested=True))
            verb = "cancel"
        else:
            changed = _count_changed(
                db,
                update(Job).where(where, Job.state.in_(("failed", "cancelled")))
                .values(state="queued", outcome="", reason="", warnings="", stage="",
                        cancel_requested=False, frames_done=0, frames_total=None, worker="",
                        started=None, finished=None)
            )  # fmt: skip
            verb = "retry"
        if not changed:
            db.refresh(job)
            raise HTTPException(409, f"cannot {verb} a job that is {job.state}")


@router.post("/sessions/{session_id}/cancel", response_model=SessionOut)
def cancel_job(
    session_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> SessionOut:
    """Cancel the analysis: a queued job at once; a running one is asked to stop (409 if ended)."""
    _change_job(context, coach, session_id, cancel=True)
    return read_session(context, Scope(coach_id=coach.coach_id), session_id)


@router.post("/sessions/{session_id}/retry", response_model=SessionOut)
def retry_job(
    request: Request,
    session_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> SessionOut:
    """Queue a failed or cancelled analysis again (attempts are kept; 409 otherwise)."""
    _change_job(context, coach, session_id, cancel=False)
    wake_workers(request)
    return read_session(context, Scope(coach_id=coach.coach_id), session_id)


def find_session_row(context: AppContext, scope: Scope, session_id: int) -> Session:
    """Return the session row (detached), for routes that read files from it."""
    with open_session(context.sessions) as db:
        session = find_session(db, scope, session_id)
        db.expunge(session)
        return session
