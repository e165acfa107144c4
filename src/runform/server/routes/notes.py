"""A coach's notes on a session, each pinned to a time in its video (or to the whole session)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from runform.server.auth import CoachDep, CoachIdentity
from runform.server.context import AppContext, ContextDep
from runform.server.database import open_session
from runform.server.models import Athlete, Note, Session
from runform.server.routes.common import (
    Scope,
    describe_note,
    find_session,
    is_row_id,
    list_note_rows,
    not_found,
)
from runform.server.routes.schemas import NoteIn, NoteOut, NotePatch

__all__ = ["list_notes", "router"]

router = APIRouter(prefix="/api", tags=["notes"])


def list_notes(context: AppContext, scope: Scope, session_id: int) -> list[NoteOut]:
    """Return a session's notes in video-time order (404 outside the scope)."""
    with open_session(context.sessions) as db:
        session = find_session(db, scope, session_id)
        return [describe_note(n) for n in list_note_rows(db, session.id)]


def _find_note(db: DbSession, coach: CoachIdentity, note_id: int) -> Note:
    if not is_row_id(note_id):
        raise not_found("no such note")
    note = db.scalar(
        select(Note)
        .join(Session, Session.id == Note.session_id)
        .join(Athlete, Athlete.id == Session.athlete_id)
        .where(Note.id == note_id, Athlete.coach_id == coach.coach_id)
    )
    if note is None:
        raise not_found("no such note")
    return note


@router.get("/sessions/{session_id}/notes", response_model=list[NoteOut])
def get_notes(
    session_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> list[NoteOut]:
    """List the notes on a session, in video-time order."""
    return list_notes(context, Scope(coach_id=coach.coach_id), session_id)


@router.post("/sessions/{session_id}/notes", response_model=NoteOut, status_code=201)
def post_note(
    session_id: int,
    body: NoteIn,
    coach: CoachDep,
    context: ContextDep,
) -> NoteOut:
    """Pin a note to a time in the session's video (``time_s`` left out: the whole session)."""
    with open_session(context.sessions) as db:
        session = find_session(db, Scope(coach_id=coach.coach_id), session_id)
        note = Note(session_id=session.id, coach_id=coach.coach_id, time_s=body.time_s,
                    text=body.text)  # fmt: skip
        db.add(note)
        db.flush()
        return describe_note(note)


@router.patch("/notes/{note_id}", response_model=NoteOut)
def patch_note(
    note_id: int,
    body: NotePatch,
    coach: CoachDep,
    context: ContextDep,
) -> NoteOut:
    """Change a note's text or time (``"time_s": null`` pins it to the whole session)."""
    with open_session(context.sessions) as db:
        note = _find_note(db, coach, note_id)
        if "text" in body.model_fields_set:
            if body.text is None:
                raise HTTPException(422, "a note's text cannot be empty")
            note.text = body.text
        if "time_s" in body.model_fields_set:
            note.time_s = body.time_s
        db.flush()
        return describe_note(note)


@router.delete("/notes/{note_id}", status_code=204)
def delete_note(
    note_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> None:
    """Delete a note."""
    with open_session(context.sessions) as db:
        db.delete(_find_note(db, coach, note_id))
