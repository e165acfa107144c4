"""What the coach's routes and the athlete's link share: scopes, look-ups, answers.

A :class:`Scope` says whose data a request may reach: a coach's (their
athletes) or one athlete's (through their link). Every look-up goes
through it, and anything outside it is answered 404, exactly as if it did
not exist, so ids cannot be probed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session as DbSession
from starlette.responses import FileResponse

from runform.server.files import resolve_inside
from runform.server.models import Athlete, Job, Note, Session
from runform.server.routes.schemas import AthleteOut, JobOut, NoteOut, SessionOut

__all__ = [
    "Scope",
    "describe_athlete",
    "describe_job",
    "describe_note",
    "describe_session",
    "find_athlete",
    "find_session",
    "is_row_id",
    "not_found",
    "serve_file",
]

#: Files served inline with these types; anything else is a download.
_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".csv": "text/csv; charset=utf-8",
    ".nc": "application/x-netcdf",
}
#: Uploads are served as video only with one of these suffixes.
_VIDEO_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".avi": "video/x-msvideo",
}


#: The largest id a row can have: PostgreSQL's ``INTEGER`` (SQLite's is larger). A larger
#: number in a URL cannot even be sent to the database (SQLite raises ``OverflowError``,
#: PostgreSQL "out of range"), so it is answered 404 before any query.
MAX_ROW_ID = 2**31 - 1


def is_row_id(value: int) -> bool:
    """Whether ``value`` can be the id of a row (1 to :data:`MAX_ROW_ID`)."""
    return 1 <= value <= MAX_ROW_ID


@dataclass(frozen=True)
class Scope:
    """Whose data a request may reach: a coach's athletes, or one athlete.

    Attributes
    ----------
    coach_id
        Set for a coach's login: every athlete on their roster.
    athlete_id
        Set for an athlete's link: that athlete only.
    """

    coach_id: int | None = None
    athlete_id: int | None = None

    def limit_athletes(self) -> list[ColumnElement[bool]]:
        """Return the conditions that keep a query of athletes inside this scope."""
        conditions = []
        if self.coach_id is not None:
            conditions.append(Athlete.coach_id == self.coach_id)
        if self.athlete_id is not None:
            conditions.append(Athlete.id == self.athlete_id)
        return conditions


def not_found(what: str = "not found") -> HTTPException:
    """Return the answer for anything missing or outside the scope."""
    return HTTPException(404, what)


def find_athlete(db: DbSession, scope: Scope, athlete_id: int) -> Athlete:
    """Return the athlete ``athlete_id`` if the scope reaches it, else raise 404."""
    if not is_row_id(athlete_id):
        raise not_found("no such athlete")
    athlete = db.scalar(select(Athlete).where(Athlete.id == athlete_id, *scope.limit_athletes()))
    if athlete is None:
        raise not_found("no such athlete")
    return athlete


def find_session(db: DbSession, scope: Scope, session_id: int) -> Session:
    """Return the session ``session_id`` if the scope reaches it, else raise 404."""
    if not is_row_id(session_id):
        raise not_found("no such session")
    query = select(Session).join(Athlete, Athlete.id == Session.athlete_id)
    query = query.where(Session.id == session_id)
    if scope.coach_id is not None:
        query = query.where(Athlete.coach_id == scope.coach_id)
    if scope.athlete_id is not None:
        query = query.where(Session.athlete_id == scope.athlete_id)
    session = db.scalar(query)
    if session is None:
        raise not_found("no such session")
    return session


def list_session_rows(db: DbSession, athlete_id: int) -> list[Session]:
    """Return an athlete's sessions, newest first."""
    return list(
        db.scalars(
            select(Session)
            .where(Session.athlete_id == athlete_id)
            .order_by(Session.session_date.desc(), Session.id.desc())
        )
    )


def count_sessions(db: DbSession, athlete_id: int) -> int:
    """How many sessions an athlete has."""
    query = select(func.count()).select_from(Session).where(Session.athlete_id == athlete_id)
    return int(db.scalar(query) or 0)


def _read_warnings(text: str) -> list[str]:
    """Warnings are kept as a JSON list (or, failing that, one per line)."""
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return [line for line in text.splitlines() if line.strip()]
    return [str(w) for w in value] if isinstance(value, list) else [str(value)]


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment and moment.tzinfo is None else moment


def describe_job(job: Job) -> JobOut:
    """Return the API's view of a job."""
    return JobOut(
        id=job.id, state=job.state, stage=job.stage, frames_done=job.frames_done,
        frames_total=job.frames_total, attempts=job.attempts, outcome=job.outcome,
        reason=job.reason, warnings=_read_warnings(job.warnings),
        cancel_requested=job.cancel_requested, created=_aware(job.created) or job.created,
        started=_aware(job.started), finished=_aware(job.finished),
    )  # fmt: skip


def describe_session(session: Session) -> SessionOut:
    """Return the API's view of a session, with its job."""
    return SessionOut(
        id=session.id, athlete_id=session.athlete_id, filename=session.filename,
        size_bytes=session.size_bytes, sha256=session.sha256, session_date=session.session_date,
        date_source=session.date_source, drill=session.drill,
        uploaded=_aware(session.uploaded) or session.uploaded,
        job=describe_job(session.job) if session.job is not None else None,
    )  # fmt: skip


def describe_athlete(db: DbSession, athlete: Athlete) -> AthleteOut:
    """Return the API's view of an athlete (never their link's token)."""
    return AthleteOut(
        id=athlete.id, name=athlete.name, height_cm=athlete.height_cm,
        created=_aware(athlete.created) or athlete.created,
        has_link=athlete.token_hash is not None, sessions=count_sessions(db, athlete.id),
    )  # fmt: skip


def describe_note(note: Note) -> NoteOut:
    """Return the API's view of a note."""
    return NoteOut(id=note.id, session_id=note.session_id, time_s=note.time_s, text=note.text,
                   created=_aware(note.created) or note.created)  # fmt: skip


def list_note_rows(db: DbSession, session_id: int) -> list[Note]:
    """Return a session's notes in video-time order (whole-session notes first)."""
    return list(
        db.scalars(
            select(Note)
            .where(Note.session_id == session_id)
            .order_by(Note.time_s.is_not(None), Note.time_s, Note.id)
        )
    )


def serve_file(
    folder: Path, relative: str, download_name: str | None = None, *, uploaded: bool = False
) -> FileResponse:
    """Serve the file ``relative`` inside ``folder`` (HTTP Range answered), else raise 404.

    Anything that leaves ``folder`` (``..``, an absolute path, a symbolic
    link pointing out, an encoded slash that decodes to one of these) is
    answered 404, like a missing file. Only the types of
    :data:`_MEDIA_TYPES` are served inline; anything else is a download
    (``application/octet-stream``), so no file can become an active page
    (``.svg``, ``.xhtml``) on the server's origin. Every answer but runform's
    own HTML reports is sandboxed by its ``Content-Security-Policy``.

    Parameters
    ----------
    uploaded
        The file is an upload as the athlete sent it: served as a video only
        when its suffix is a video's (:data:`_VIDEO_TYPES`), never as HTML,
        whatever the name the uploader chose.
    """
    found = resolve_inside(folder, relative)
    if found is None:
        raise not_found("no such file")
    suffix = found.suffix.lower()
    known = _VIDEO_TYPES if uploaded else _MEDIA_TYPES
    media_type = known.get(suffix, "application/octet-stream")
    headers = {"Cache-Control": "private, no-cache"}
    if media_type != _MEDIA_TYPES[".html"]:
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    if media_type == "application/octet-stream" and download_name is None:
        download_name = found.name
    return FileResponse(found, media_type=media_type, filename=download_name, headers=headers)
