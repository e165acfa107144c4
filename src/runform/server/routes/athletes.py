"""A coach's roster: athletes, their private links, their removal and their export."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select, update
from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from runform.server.archive import write_athlete_archive
from runform.server.auth import CoachDep, revoke_link, rotate_link
from runform.server.context import ContextDep
from runform.server.database import open_session
from runform.server.files import athlete_folders, discard_trash, move_aside, restore_trash
from runform.server.models import Athlete, Job, Session
from runform.server.routes.common import Scope, describe_athlete, find_athlete
from runform.server.routes.schemas import AthleteIn, AthleteOut, AthletePatch, LinkOut

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["athletes"])


@router.get("/athletes", response_model=list[AthleteOut])
def get_athletes(coach: CoachDep, context: ContextDep) -> list[AthleteOut]:
    """List the coach's roster, by name."""
    with open_session(context.sessions) as db:
        athletes = db.scalars(
            select(Athlete).where(Athlete.coach_id == coach.coach_id).order_by(Athlete.name)
        )
        return [describe_athlete(db, a) for a in athletes]


@router.post("/athletes", response_model=AthleteOut, status_code=201)
def post_athlete(
    body: AthleteIn,
    coach: CoachDep,
    context: ContextDep,
) -> AthleteOut:
    """Add an athlete to the roster (no link yet: create one with ``POST .../link``)."""
    with open_session(context.sessions) as db:
        athlete = Athlete(coach_id=coach.coach_id, name=body.name.strip() or body.name,
                          height_cm=body.height_cm)  # fmt: skip
        db.add(athlete)
        db.flush()
        return describe_athlete(db, athlete)


@router.get("/athletes/{athlete_id}", response_model=AthleteOut)
def get_athlete(
    athlete_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> AthleteOut:
    """Get one athlete of the roster."""
    with open_session(context.sessions) as db:
        return describe_athlete(db, find_athlete(db, Scope(coach_id=coach.coach_id), athlete_id))


@router.patch("/athletes/{athlete_id}", response_model=AthleteOut)
def patch_athlete(
    athlete_id: int,
    body: AthletePatch,
    coach: CoachDep,
    context: ContextDep,
) -> AthleteOut:
    """Rename an athlete or change their height (``"height_cm": null`` forgets it)."""
    with open_session(context.sessions) as db:
        athlete = find_athlete(db, Scope(coach_id=coach.coach_id), athlete_id)
        if body.name is not None:
            athlete.name = body.name.strip() or body.name
        if "height_cm" in body.model_fields_set:
            athlete.height_cm = body.height_cm
        db.flush()
        return describe_athlete(db, athlete)


@router.delete("/athletes/{athlete_id}", status_code=204)
def delete_athlete(
    athlete_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> None:
    """Delete an athlete with every video, analysis and note (running jobs are told to stop).

    The athlete's folders are renamed aside first, then the rows are
    deleted, then the folders removed; a crash in between is finished or
    undone at the next start, never left half done.
    """
    settings = context.settings
    with open_session(context.sessions) as db:
        athlete = find_athlete(db, Scope(coach_id=coach.coach_id), athlete_id)
        sessions = select(Session.id).where(Session.athlete_id == athlete.id)
        db.execute(update(Job).where(Job.session_id.in_(sessions), Job.state == "running")
                   .values(cancel_requested=True))  # fmt: skip
        db.delete(athlete)
        db.flush()
        entry = move_aside(settings, "athletes", athlete_id, athlete_folders(settings, athlete_id))
        try:
            db.commit()
        except BaseException:
            restore_trash(settings, entry)
            raise
    discard_trash(entry)


@router.post("/athletes/{athlete_id}/link", response_model=LinkOut, status_code=201)
def post_link(
    athlete_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> LinkOut:
    """Create the athlete's private link, or replace it (the old one stops working).

    The token is in this answer only; the server keeps its SHA-256.
    """
    with open_session(context.sessions) as db:
        athlete = find_athlete(db, Scope(coach_id=coach.coach_id), athlete_id)
        token = rotate_link(athlete)
    return LinkOut(token=token, path=f"/api/a/{token}")


@router.delete("/athletes/{athlete_id}/link", status_code=204)
def delete_link(
    athlete_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> None:
    """Revoke the athlete's private link."""
    with open_session(context.sessions) as db:
        revoke_link(find_athlete(db, Scope(coach_id=coach.coach_id), athlete_id))


@router.get("/athletes/{athlete_id}/export", response_class=FileResponse)
def get_export(
    athlete_id: int,
    coach: CoachDep,
    context: ContextDep,
) -> FileResponse:
    """Export everything kept about the athlete as one zip: videos, analyses, notes."""
    archive = write_athlete_archive(context, Scope(coach_id=coach.coach_id), athlete_id)
    remove = BackgroundTask(archive.path.unlink, missing_ok=True)
    return FileResponse(archive.path, media_type="application/zip",
                        filename=archive.download_name, background=remove)  # fmt: skip
