"""An athlete's private link: ``/api/a/{token}/...``, with no account.

The token is the credential: it reaches that athlete's own sessions,
analyses, artifacts, notes and progress, and lets them upload. An unknown,
rotated or revoked token is answered 404, like any missing page. Pages
served here should not leak the token to other sites: every answer carries
``Referrer-Policy: no-referrer`` (see :mod:`runform.server.app`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.responses import FileResponse, JSONResponse

from runform.server.auth import find_linked_athlete
from runform.server.context import ContextDep
from runform.server.database import open_session
from runform.server.routes.common import Scope, find_athlete, not_found, serve_file
from runform.server.routes.notes import list_notes
from runform.server.routes.reports import build_progress_report
from runform.server.routes.results import (
    list_session_files,
    read_analysis,
    serve_result,
    serve_video,
)
from runform.server.routes.schemas import NoteOut, SessionOut
from runform.server.routes.sessions import (
    UPLOAD_BODY,
    DateQuery,
    DrillQuery,
    FilenameQuery,
    list_sessions,
    read_session,
    upload_session,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/a/{token}", tags=["athlete link"])


class LinkedAthleteOut(BaseModel):
    """What an athlete's link shows about them."""

    id: int
    name: str


def require_link(token: str, context: ContextDep) -> int:
    """FastAPI dependency: the id of the athlete the link's token reaches, else 404."""
    with open_session(context.sessions) as db:
        athlete = find_linked_athlete(db, token)
        if athlete is None:
            raise not_found("no such link (it may have been replaced or revoked)")
        return athlete.id


#: A route parameter receiving the id of the athlete whose link was used.
LinkedAthleteId = Annotated[int, Depends(require_link)]


@router.get("", response_model=LinkedAthleteOut)
def get_linked_athlete(athlete_id: LinkedAthleteId, context: ContextDep) -> LinkedAthleteOut:
    """Say whose link this is."""
    with open_session(context.sessions) as db:
        athlete = find_athlete(db, Scope(athlete_id=athlete_id), athlete_id)
        return LinkedAthleteOut(id=athlete.id, name=athlete.name)


@router.get("/sessions", response_model=list[SessionOut])
def get_sessions(athlete_id: LinkedAthleteId, context: ContextDep) -> list[SessionOut]:
    """List the athlete's sessions with the state of each analysis, newest first."""
    return list_sessions(context, Scope(athlete_id=athlete_id), athlete_id)


@router.post("/sessions", status_code=201, response_model=SessionOut, openapi_extra=UPLOAD_BODY,
             responses={409: {"description": "already uploaded (session_id names it)"},
                        413: {"description": "larger than the limit"},
                        415: {"description": "a form (curl -F or -d), not the video as the body"},
                        422: {"description": "not a video runform can read"}})  # fmt: skip
async def post_session(
    request: Request,
    athlete_id: LinkedAthleteId,
    context: ContextDep,
    filename: FilenameQuery = None,
    date: DateQuery = None,
    drill: DrillQuery = None,
) -> JSONResponse:
    """Upload a video (the raw body); its analysis is queued."""
    return await upload_session(
        request, context, Scope(athlete_id=athlete_id), athlete_id, filename, date, drill
    )


@router.get("/sessions/{session_id}", response_model=SessionOut)
def get_session(session_id: int, athlete_id: LinkedAthleteId, context: ContextDep) -> SessionOut:
    """Get one of the athlete's sessions with its job."""
    return read_session(context, Scope(athlete_id=athlete_id), session_id)


@router.get("/sessions/{session_id}/analysis",
            responses={200: {"content": {"application/json": {}}}})  # fmt: skip
def get_analysis(session_id: int, athlete_id: LinkedAthleteId, context: ContextDep) -> FileResponse:
    """Get the analysis (``analysis.json``), 404 until it is done."""
    return read_analysis(context, Scope(athlete_id=athlete_id), session_id)


@router.get("/sessions/{session_id}/files", response_model=list[str])
def get_files(session_id: int, athlete_id: LinkedAthleteId, context: ContextDep) -> list[str]:
    """List the artifacts of the analysis."""
    return list_session_files(context, Scope(athlete_id=athlete_id), session_id)


@router.get("/sessions/{session_id}/files/{path:path}", response_class=FileResponse)
def get_file(
    session_id: int,
    path: str,
    athlete_id: LinkedAthleteId,
    context: ContextDep,
) -> FileResponse:
    """Get one artifact of the analysis; Range requests are answered (206)."""
    return serve_result(context, Scope(athlete_id=athlete_id), session_id, path)


@router.get("/sessions/{session_id}/video", response_class=FileResponse)
def get_video(session_id: int, athlete_id: LinkedAthleteId, context: ContextDep) -> FileResponse:
    """Get the uploaded video; Range requests are answered (206)."""
    return serve_video(context, Scope(athlete_id=athlete_id), session_id)


@router.get("/sessions/{session_id}/notes", response_model=list[NoteOut])
def get_notes(session_id: int, athlete_id: LinkedAthleteId, context: ContextDep) -> list[NoteOut]:
    """List the coach's notes on the session, in video-time order."""
    return list_notes(context, Scope(athlete_id=athlete_id), session_id)


@router.get("/progress", responses={200: {"content": {"application/json": {}}}})
def get_progress(athlete_id: LinkedAthleteId, context: ContextDep) -> FileResponse:
    """Get the progress over all of the athlete's analysed sessions: ``progress.json``."""
    return serve_file(
        build_progress_report(context, Scope(athlete_id=athlete_id), athlete_id), "progress.json"
    )


@router.get("/progress/files/{path:path}", response_class=FileResponse)
def get_progress_file(path: str, athlete_id: LinkedAthleteId, context: ContextDep) -> FileResponse:
    """Get a file of the progress report: ``progress.html``, ``plots/...``."""
    return serve_file(
        build_progress_report(context, Scope(athlete_id=athlete_id), athlete_id), path
    )
