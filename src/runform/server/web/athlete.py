"""The athlete's pages, reached through their private link: ``/a/<token>``.

An athlete has no account: the link's token is the credential, checked by
the JSON API's own dependency (:func:`runform.server.routes.link.require_link`),
so an unknown, replaced or revoked link is a 404 page, and every session is
looked up inside that athlete's scope (another athlete's session is a 404
too). Built for a phone first:

- the home page: how to film (drawn, not only written), the upload (the
  file streams to ``/api/a/<token>/sessions`` from ``static/runform.js``
  with a progress bar) and their sessions, with a short progress summary
  once two are analysed (the coach's :func:`~runform.server.web.coach.summarise_athlete`);
- a session: the analysis's live progress while it runs; when it failed,
  why in plain words and what to do; when done, their feedback (what they
  do well, the one or two things to work on with drills), the annotated
  video, the key frames and the coach's notes pinned to video times.

The token is in the pages' links only: never logged here, and the pages
(like every answer) say ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload
from starlette.responses import Response

from runform.server.context import AppContext, ContextDep
from runform.server.database import open_session
from runform.server.models import Athlete, Session
from runform.server.routes.common import Scope, describe_job, find_athlete, find_session
from runform.server.routes.link import LinkedAthleteId
from runform.server.routes.notes import list_notes
from runform.server.web.coach import summarise_athlete
from runform.server.web.digest import read_digest
from runform.server.web.render import render_page

__all__ = ["drill_choices", "explain_failure", "format_video_time", "router"]

router = APIRouter(include_in_schema=False)

#: How a job's state reads to the athlete.
STATE_WORDS = {
    "queued": "waiting to be analysed",
    "running": "being analysed",
    "done": "ready",
    "failed": "could not be analysed",
    "cancelled": "stopped by your coach",
}

#: Why an analysis failed, in plain words, and what to do, by outcome kind
#: (:data:`runform.batch.outcome.KINDS`). ``film_again``: the video itself was
#: the problem, so the filming guide is shown with it.
_FAILURES: dict[str, tuple[str, str, bool]] = {
    "no_person": (
        "We could not find a runner clearly enough in this video.",
        "Film again following the guide: from the side, your whole body in the "
        "picture from head to feet, in good light, with the phone held still.",
        True,
    ),
    "bad_upload": (
        "This file could not be read as a video.",
        "Upload the video file exactly as your phone recorded it (not a screen "
        "recording, a photo or an edited copy), or film again following the guide.",
        True,
    ),
    "truncated": (
        "The video arrived cut short: the upload did not finish.",
        "Upload the same video again, ideally on Wi-Fi, and keep this page open "
        "until it says the upload is done.",
        True,
    ),
    "timeout": (
        "The analysis took too long and was stopped.",
        "A shorter clip is enough: about 10 seconds of running (6 strides or more). "
        "Film again, or ask your coach to run it again.",
        True,
    ),
    "internal_error": (
        "Something went wrong on our side, not with your video.",
        "You do not need to film again: your coach can run the analysis again.",
        False,
    ),
    "crashed": (
        "The analysis stopped unexpectedly, on our side, not because of your video.",
        "You do not need to film again: your coach can run the analysis again.",
        False,
    ),
}
_UNKNOWN_FAILURE = (
    "The analysis did not finish.",
    "Try filming again following the guide; if it fails again, tell your coach.",
    True,
)


@functools.lru_cache(maxsize=1)
def drill_choices() -> tuple[tuple[str, str], ...]:
    """Return the in-place drills an upload can be scored as: ``(id, name)``, in order.

    The ids are :data:`runform.checkpoints.rubric.DRILL_NAMES` (what the
    upload accepts); the names are the default rubric's.
    """
    from runform.checkpoints.rubric import DRILL_NAMES, load_rubric

    drills = load_rubric().drills
    return tuple((key, drills[key].name if key in drills else key.replace("_", " ").capitalize())
                 for key in DRILL_NAMES)  # fmt: skip


def explain_failure(outcome: str) -> dict[str, Any]:
    """Say why an analysis failed and what to do, in plain words, from its outcome kind."""
    what, todo, film_again = _FAILURES.get(outcome, _UNKNOWN_FAILURE)
    return {"what": what, "todo": todo, "film_again": film_again}


def format_video_time(seconds: float) -> str:
    """Write a video time as a phone's player shows it: ``0:03.2``, ``1:05.0``."""
    if not math.isfinite(seconds) or seconds < 0:
        return "—"
    tenths = round(seconds * 10)
    minutes, rest = divmod(tenths, 600)
    return f"{minutes}:{rest // 10:02d}.{rest % 10}"


def _load_athlete(context: AppContext, athlete_id: int) -> Athlete:
    """Return the athlete with their sessions and jobs, detached (for the summary)."""
    with open_session(context.sessions) as db:
        find_athlete(db, Scope(athlete_id=athlete_id), athlete_id)
        athlete = db.scalars(
            select(Athlete).where(Athlete.id == athlete_id)
            .options(selectinload(Athlete.sessions).options(defer(Session.digest),
                                                            selectinload(Session.job)))
            .execution_options(populate_existing=True)
        ).one()  # fmt: skip
        db.expunge_all()
    return athlete


def _progress_summary(summary: dict[str, Any]) -> dict[str, Any] | None:
    """Return the "progress, not perfection" summary, once two sessions are analysed.

    The trend is the coach's (baseline: their choice, else the earliest
    analysed session), so the athlete and the coach read the same verdict.
    """
    baseline, latest = summary["baseline"], summary["latest"]
    if baseline is None or latest is None or baseline.id == latest.id:
        return None
    count = sum(1 for s in summary["sessions"] if s.job is not None and s.job.state == "done")
    return {"baseline": baseline, "latest": latest, "trend": summary["trend"], "count": count}


@router.get("/a/{token}")
def get_athlete_home(
    request: Request, token: str, athlete_id: LinkedAthleteId, context: ContextDep
) -> Response:
    """Show the athlete's home: how to film, the upload, their sessions and progress."""
    summary = summarise_athlete(context, _load_athlete(context, athlete_id))
    sessions = list(reversed(summary["sessions"]))  # newest first
    return render_page(
        request, "athlete_home.html.j2", token=token, athlete=summary["athlete"],
        sessions=sessions, progress=_progress_summary(summary),
        drills=drill_choices(), drill_names=dict(drill_choices()), state_words=STATE_WORDS,
        max_upload_mb=round(context.settings.max_upload_bytes / 1e6),
    )  # fmt: skip


def _session_feedback(context: AppContext, session: Session) -> dict[str, Any]:
    """Return what a finished session shows: the digest's feedback, which files exist."""
    digest = read_digest(context, session)
    if digest is None:
        return {"digest": None}
    capture = digest.get("capture") or {}
    warnings = [str(w) for w in [*(capture.get("warnings") or []),
                                 *(digest.get("input_warnings") or [])]]  # fmt: skip
    folder = Path(context.settings.data_dir) / session.result_path
    return {
        "digest": digest,
        "warnings": list(dict.fromkeys(warnings)),
        "good": [c for c in digest.get("checkpoints") or [] if c.get("status") == "pass"],
        "focus": digest.get("focus") or [],
        "has_annotated": (folder / "annotated.mp4").is_file(),
        "has_keyframes": (folder / "keyframes.png").is_file(),
        "has_report": (folder / "report.html").is_file(),
    }


@router.get("/a/{token}/sessions/{session_id}")
def get_athlete_session(
    request: Request, token: str, session_id: int, athlete_id: LinkedAthleteId,
    context: ContextDep,
) -> Response:  # fmt: skip
    """Show a session: its progress, why it failed and what to do, or the feedback."""
    scope = Scope(athlete_id=athlete_id)
    with open_session(context.sessions) as db:
        session = find_session(db, scope, session_id)  # 404 for another athlete's session
        job = describe_job(session.job) if session.job is not None else None
        db.expunge(session)
    state = job.state if job is not None else "queued"
    values: dict[str, Any] = {"digest": None}
    if state == "done":
        values = _session_feedback(context, session)
        notes = [{"time_s": n.time_s, "text": n.text,
                  "clock": format_video_time(n.time_s) if n.time_s is not None else ""}
                 for n in list_notes(context, scope, session_id)]  # fmt: skip
        values["notes"] = notes
    return render_page(
        request, "athlete_session.html.j2", token=token, session=session, job=job,
        state=state, state_words=STATE_WORDS, drill_names=dict(drill_choices()),
        failure=explain_failure(job.outcome if job else "") if state == "failed" else None,
        **values,
    )  # fmt: skip
