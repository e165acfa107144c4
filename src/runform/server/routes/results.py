"""A session's analysis and its artifacts, and the uploaded video.

Files are served with :class:`starlette.responses.FileResponse`, which
answers HTTP Range requests (206), so the videos seek. Every path is
resolved inside the session's folder; anything else is 404.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import FileResponse

from runform.server.auth import CoachDep
from runform.server.context import AppContext, ContextDep
from runform.server.files import list_artifacts
from runform.server.routes.common import Scope, not_found, serve_file
from runform.server.routes.sessions import find_session_row

__all__ = ["list_session_files", "read_analysis", "router", "serve_result", "serve_video"]

router = APIRouter(prefix="/api", tags=["results"])

#: The answer when a session has no analysis (yet).
NO_ANALYSIS = "no analysis for this session (yet): see its job's state"


def read_analysis(context: AppContext, scope: Scope, session_id: int) -> FileResponse:
    """Serve the session's ``analysis.json`` (404 until its analysis is written)."""
    session = find_session_row(context, scope, session_id)
    folder = context.settings.data_dir / session.result_path
    if not (folder / "analysis.json").is_file():
        raise not_found(NO_ANALYSIS)
    return serve_file(folder, "analysis.json")


def list_session_files(context: AppContext, scope: Scope, session_id: int) -> list[str]:
    """List the files of the session's analysis, relative to its folder."""
    session = find_session_row(context, scope, session_id)
    return list_artifacts(context.settings.data_dir / session.result_path)


def serve_result(context: AppContext, scope: Scope, session_id: int, path: str) -> FileResponse:
    """Serve one file of the session's analysis folder (``report.html``, ``plots/...``)."""
    session = find_session_row(context, scope, session_id)
    return serve_file(context.settings.data_dir / session.result_path, path)


def serve_video(context: AppContext, scope: Scope, session_id: int) -> FileResponse:
    """Serve the uploaded video as it was received."""
    session = find_session_row(context, scope, session_id)
    video = context.settings.data_dir / session.video_path
    return serve_file(video.parent, video.name, uploaded=True)


@router.get(
    "/sessions/{session_id}/analysis", responses={200: {"content": {"application/json": {}}}}
)
def get_analysis(
    session_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> FileResponse:
    """Get the analysis (``analysis.json``, see docs/analysis-schema.md); 404 until done."""
    return read_analysis(context, Scope(coach_id=coach.coach_id), session_id)


@router.get("/sessions/{session_id}/files", response_model=list[str])
def get_files(
    session_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> list[str]:
    """List the analysis's artifacts: report.html, annotated.mp4, keyframes.png, plots/*.png."""
    return list_session_files(context, Scope(coach_id=coach.coach_id), session_id)


@router.get("/sessions/{session_id}/files/{path:path}", response_class=FileResponse)
def get_file(
    session_id: int,
    path: str,
    coach: CoachDep,
    context: ContextDep,
) -> FileResponse:
    """Get one artifact of the analysis; Range requests are answered (206)."""
    return serve_result(context, Scope(coach_id=coach.coach_id), session_id, path)


@router.get("/sessions/{session_id}/video", response_class=FileResponse)
def get_video(
    session_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> FileResponse:
    """Get the uploaded video; Range requests are answered (206)."""
    return serve_video(context, Scope(coach_id=coach.coach_id), session_id)
