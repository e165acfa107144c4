"""Comparisons of two sessions and progress over all of an athlete's sessions.

Both are written by the library (:func:`runform.compare.write.write_comparison`,
:func:`runform.compare.write.write_progress`) from the sessions' analysis
folders into ``cache/<athlete>/``, in a folder named by a key of what went
in (the sessions, their ``analysis.json`` stamps and dates): a request
finds the report already there, or writes it (one at a time, under the
app's cache lock) and removes the reports it replaces. The first request
may take a few seconds (the side-by-side video of a comparison).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, HTTPException
from starlette.responses import FileResponse

from runform.errors import RunformError
from runform.server.auth import CoachDep
from runform.server.context import AppContext, ContextDep
from runform.server.database import open_session
from runform.server.files import athlete_cache_dir, make_safe_name, remove_atomically
from runform.server.models import Session
from runform.server.routes.common import (
    Scope,
    find_athlete,
    find_session,
    list_session_rows,
    serve_file,
)

__all__ = ["build_comparison", "build_progress_report", "router"]

router = APIRouter(prefix="/api", tags=["reports"])


def _stamp(path: Path) -> str:
    status = path.stat()
    return f"{status.st_mtime_ns}:{status.st_size}"


def _analysed(context: AppContext, session: Session) -> Path:
    folder = context.settings.data_dir / session.result_path
    if not (folder / "analysis.json").is_file():
        state = session.job.state if session.job is not None else "missing"
        raise HTTPException(409, f"session {session.id} has no analysis yet (its job is {state})")
    return folder


def _labelled(context: AppContext, session: Session, folder: Path) -> Path:
    """Link to the session's analysis under a name the reports show: its date and file."""
    stem = Path(session.filename).stem.replace(".", "_")
    name = make_safe_name(f"{session.session_date or 'undated'}_{stem}")
    links = athlete_cache_dir(context.settings, session.athlete_id) / "sessions" / str(session.id)
    link = links / name
    if not link.is_symlink():
        links.mkdir(parents=True, exist_ok=True)
        temporary = links / f".{name}.{os.getpid()}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(os.path.relpath(folder.resolve(), links.resolve()))
        temporary.replace(link)
    return link


def _ensure(
    context: AppContext, folder: Path, marker: str, family: str, build: Callable[[Path], object]
) -> Path:
    """Return ``folder`` once it holds ``marker``, building it (and dropping older ones) if not."""
    if (folder / marker).is_file():
        return folder
    with context.cache_lock:
        if not (folder / marker).is_file():
            try:
                build(folder)
            except RunformError as error:
                raise HTTPException(422, error.message) from error
            for older in folder.parent.glob(f"{family}*"):
                if older != folder:
                    remove_atomically(context.settings, older)
    return folder


def build_comparison(context: AppContext, scope: Scope, baseline_id: int, followup_id: int) -> Path:
    """Return the folder comparing two sessions of one athlete (written if needed).

    Raises
    ------
    HTTPException
        404 outside the scope; 422 for one session twice or sessions of two
        athletes; 409 while one has no analysis.
    """
    from runform.compare.write import write_comparison

    with open_session(context.sessions) as db:
        baseline = find_session(db, scope, baseline_id)
        followup = find_session(db, scope, followup_id)
        if baseline.id == followup.id:
            raise HTTPException(422, "choose two different sessions to compare")
        if baseline.athlete_id != followup.athlete_id:
            raise HTTPException(422, "compare two sessions of the same athlete")
        pairs = [(s, _analysed(context, s)) for s in (baseline, followup)]
        inputs = [_labelled(context, s, f) for s, f in pairs]
        text = "|".join(f"{s.id}:{_stamp(f / 'analysis.json')}" for s, f in pairs)
        family = f"compare-{baseline.id}-{followup.id}-"
        cache = athlete_cache_dir(context.settings, baseline.athlete_id)
    folder = cache / f"{family}{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    return _ensure(context, folder, "comparison.json", family,
                   lambda out: write_comparison(inputs[0], inputs[1], out))  # fmt: skip


def build_progress_report(context: AppContext, scope: Scope, athlete_id: int) -> Path:
    """Return the folder of the athlete's progress over their analysed sessions (written if needed).

    Raises
    ------
    HTTPException
        404 outside the scope; 409 with fewer than two analysed sessions.
    """
    from runform.compare.write import write_progress

    with open_session(context.sessions) as db:
        athlete = find_athlete(db, scope, athlete_id)
        rows = sorted(list_session_rows(db, athlete.id),
                      key=lambda s: (s.session_date is None, s.session_date, s.id))  # fmt: skip
        done = [(s, context.settings.data_dir / s.result_path) for s in rows]
        done = [(s, f) for s, f in done if (f / "analysis.json").is_file()]
        if len(done) < 2:
            raise HTTPException(409, "progress needs at least 2 analysed sessions; "
                                f"{len(done)} of {len(rows)} are analysed")  # fmt: skip
        inputs = [_labelled(context, s, f) for s, f in done]
        dates = [s.session_date for s, _ in done]
        text = "|".join(f"{s.id}:{_stamp(f / 'analysis.json')}:{s.session_date}" for s, f in done)
        cache = athlete_cache_dir(context.settings, athlete.id)
    folder = cache / f"progress-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    given = [d for d in dates if d is not None] if all(dates) else None
    return _ensure(context, folder, "progress.json", "progress-",
                   lambda out: write_progress(inputs, out, dates=given))  # fmt: skip


@router.get("/sessions/{session_id}/compare/{other_id}",
            responses={200: {"content": {"application/json": {}}}})  # fmt: skip
def get_comparison(
    session_id: int,
    other_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> FileResponse:
    """Compare a baseline session with a follow-up of the same athlete: ``comparison.json``."""
    folder = build_comparison(context, Scope(coach_id=coach.coach_id), session_id, other_id)
    return serve_file(folder, "comparison.json")


@router.get("/sessions/{session_id}/compare/{other_id}/files/{path:path}",
            response_class=FileResponse)  # fmt: skip
def get_comparison_file(
    session_id: int,
    other_id: int,
    path: str,
    coach: CoachDep,
    context: ContextDep,
) -> FileResponse:
    """Get a file of the comparison: ``comparison.html``, ``side_by_side.mp4``, ``plots/...``."""
    folder = build_comparison(context, Scope(coach_id=coach.coach_id), session_id, other_id)
    return serve_file(folder, path)


@router.get("/athletes/{athlete_id}/progress",
            responses={200: {"content": {"application/json": {}}}})  # fmt: skip
def get_progress(
    athlete_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> FileResponse:
    """Get the progress over all of the athlete's analysed sessions: ``progress.json``."""
    folder = build_progress_report(context, Scope(coach_id=coach.coach_id), athlete_id)
    return serve_file(folder, "progress.json")


@router.get("/athletes/{athlete_id}/progress/files/{path:path}", response_class=FileResponse)
def get_progress_file(
    athlete_id: int,
    path: str,
    coach: CoachDep,
    context: ContextDep,
) -> FileResponse:
    """Get a file of the progress report: ``progress.html``, ``plots/...``."""
    folder = build_progress_report(context, Scope(coach_id=coach.coach_id), athlete_id)
    return serve_file(folder, path)
