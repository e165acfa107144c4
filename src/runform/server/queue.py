"""The durable job queue: the ``jobs`` table, changed only by short conditional updates.

Every function here takes a database session, does one short piece of work
and commits it; none keeps a transaction open while an analysis runs. A job
moves through the states of :data:`runform.server.models.JOB_STATES`:

- ``queued`` → ``running`` when a worker claims it;
- ``running`` → ``done``, or ``failed`` with the typed outcome;
- ``running`` → ``queued`` after a failure that may pass next time (a crash,
  an internal error) while attempts are left, and at start-up when the
  server was killed during it;
- ``running`` → ``cancelled`` when the coach asked (``cancel_requested``).

A claim is a :class:`Lease`: the job, the worker's name and the attempt
number. Every later write names the lease in its ``WHERE`` clause, so a
worker that lost its job (requeued at a restart, cancelled, deleted with
its athlete) can neither record progress nor finish it: it learns so from
the answer and stops. Two workers never hold the same job: a claim is one
conditional ``UPDATE ... WHERE state = 'queued'`` whose row count says who
won (on PostgreSQL the candidate is also picked with ``FOR UPDATE SKIP
LOCKED``, so concurrent claimers take different rows without waiting).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, Update, and_, select, update
from sqlalchemy.orm import Session as DbSession

from runform.batch.outcome import JobOutcome
from runform.server.models import Athlete, Job, Session, now_utc

__all__ = [
    "MAX_ATTEMPTS",
    "Directive",
    "JobSpec",
    "Lease",
    "Recovery",
    "check_job",
    "claim_next_job",
    "fail_held_jobs",
    "finish_job",
    "read_job_spec",
    "record_progress",
    "release_held_jobs",
    "requeue_interrupted_jobs",
    "stop_cancelled_job",
]

#: Claims of one job before a retryable failure (a crash, an internal error, a
#: server killed mid-job) is final; a coach's retry allows one more.
MAX_ATTEMPTS = 3
#: Queued jobs looked at per claim when other workers take the first ones.
CLAIM_CANDIDATES = 8
#: What a worker does after recording progress: go on, stop (cancel), or drop
#: the job (it is no longer this worker's).
Directive = Literal["continue", "cancel", "lost"]


@dataclass(frozen=True)
class Lease:
    """A worker's claim on one job.

    Attributes
    ----------
    job_id
        The job's row.
    worker
        Who holds it (``host:pid``, stored in ``jobs.worker``).
    attempt
        Its ``attempts`` after the claim (1 for a first run).
    """

    job_id: int
    worker: str
    attempt: int


@dataclass(frozen=True)
class JobSpec:
    """What a worker needs to analyse a claimed job.

    Attributes
    ----------
    lease
        The claim.
    video_path, result_path
        The upload and the analysis folder, relative to the data folder
        (``/``-separated, as stored).
    filename
        The upload's name as the athlete sent it (used in messages).
    drill
        Score the clip as this drill (``None``: running).
    height_cm
        The athlete's standing height, cm, if known.
    """

    lease: Lease
    video_path: PurePosixPath
    result_path: PurePosixPath
    filename: str
    drill: str | None
    height_cm: float | None


def _held(lease: Lease) -> Any:
    """Select the job still held by ``lease`` (a ``WHERE`` clause)."""
    return and_(Job.id == lease.job_id, Job.state == "running", Job.worker == lease.worker,
                Job.attempts == lease.attempt)  # fmt: skip


def _count(db: DbSession, statement: Update) -> int:
    """Run an UPDATE (without touching objects in the session); return the rows changed."""
    options = {"synchronize_session": False}
    result = cast("CursorResult[Any]", db.execute(statement, execution_options=options))
    return int(result.rowcount)


def claim_next_job(db: DbSession, worker: str) -> Lease | None:
    """Claim the oldest queued job for ``worker``; ``None`` when there is none.

    The candidates are read first (on PostgreSQL locked with ``FOR UPDATE
    SKIP LOCKED``; SQLite serialises writers), then each is taken with
    ``UPDATE jobs SET state='running', worker=?, attempts=attempts+1 ...
    WHERE id=? AND state='queued'``: a row count of 0 means another worker
    took it first, and the next candidate is tried. Commits.
    """
    for _ in range(CLAIM_CANDIDATES):
        oldest = (select(Job.id).where(Job.state == "queued").order_by(Job.created, Job.id)
                  .limit(1).with_for_update(skip_locked=True))  # fmt: skip
        job_id = db.scalar(oldest)
        if job_id is None:
            db.commit()
            return None
        now = now_utc()
        taken = _count(db, update(Job).where(Job.id == job_id, Job.state == "queued").values(
            state="running", worker=worker, attempts=Job.attempts + 1, stage="", frames_done=0,
            frames_total=None, started=now, finished=None))  # fmt: skip
        if taken:
            attempt = db.scalar(select(Job.attempts).where(Job.id == job_id))
            db.commit()
            return Lease(job_id, worker, int(attempt or 1))
        db.commit()  # someone else took it: end this transaction, look again
    return None


def read_job_spec(db: DbSession, lease: Lease) -> JobSpec | None:
    """Read what the analysis of a held job needs; ``None`` if the lease is lost."""
    row = db.execute(
        select(Session.video_path, Session.result_path, Session.filename, Session.drill,
               Athlete.height_cm)
        .join(Job, Job.session_id == Session.id).join(Athlete, Athlete.id == Session.athlete_id)
        .where(_held(lease))
    ).one_or_none()  # fmt: skip
    db.commit()
    if row is None:
        return None
    video, result, filename, drill, height = row
    return JobSpec(lease, PurePosixPath(video), PurePosixPath(result), filename, drill,
                   None if height is None else float(height))  # fmt: skip


def record_progress(
    db: DbSession, lease: Lease, stage: str, done: int, total: int | None
) -> Directive:
    """Store a held job's stage and frames done out of ``total``; say whether to go on.

    Returns
    -------
    Directive
        ``"cancel"`` when the coach asked to cancel it, ``"lost"`` when the
        job is no longer held by ``lease`` (requeued, cancelled or deleted),
        else ``"continue"``. Commits.
    """
    changed = _count(db, update(Job).where(_held(lease)).values(
        stage=stage, frames_done=done, frames_total=total))  # fmt: skip
    cancel = db.scalar(select(Job.cancel_requested).where(_held(lease))) if changed else None
    db.commit()
    if not changed:
        return "lost"
    return "cancel" if cancel else "continue"


def check_job(db: DbSession, lease: Lease) -> Directive:
    """Say whether a held job should go on, without writing (see :func:`record_progress`)."""
    cancel = db.scalar(select(Job.cancel_requested).where(_held(lease)))
    db.commit()
    if cancel is None:
        return "lost"
    return "cancel" if cancel else "continue"


def _final_state(lease: Lease, outcome: JobOutcome) -> str:
    if outcome.kind == "ok":
        return "done"
    return "queued" if outcome.retry and lease.attempt < MAX_ATTEMPTS else "failed"


def finish_job(db: DbSession, lease: Lease, outcome: JobOutcome) -> str | None:
    """Record how a held job ended; return its new state, ``None`` if the lease is lost.

    ``ok`` is ``done``. A failure the upload caused (``no_person``,
    ``bad_upload``, ``truncated``) is ``failed``. A failure that may pass
    next time (``outcome.retry``: a crash, an internal error) is ``queued``
    again while the job has had fewer than :data:`MAX_ATTEMPTS` claims,
    then ``failed``; a requeued job keeps the outcome and reason of its
    last attempt until it ends. A job whose cancellation was requested
    meanwhile ends ``cancelled`` instead. Commits.
    """
    state = _final_state(lease, outcome)
    ended = state != "queued"
    values: dict[str, Any] = {
        "state": state, "outcome": outcome.kind, "reason": outcome.reason,
        "warnings": "\n".join(outcome.warnings), "worker": "",
        "finished": now_utc() if ended else None,
    }  # fmt: skip
    if not ended:
        values.update(stage="", frames_done=0, frames_total=None, started=None)
    held = _held(lease)
    if _count(db, update(Job).where(held, Job.cancel_requested.is_(False)).values(**values)):
        db.commit()
        return state
    cancelled = _count(db, update(Job).where(held).values(**_cancelled_values()))
    db.commit()
    return "cancelled" if cancelled else None


def _cancelled_values() -> dict[str, Any]:
    return {"state": "cancelled", "outcome": "", "reason": "cancelled by the coach",
            "worker": "", "cancel_requested": False, "finished": now_utc()}  # fmt: skip


def stop_cancelled_job(db: DbSession, lease: Lease) -> bool:
    """Mark a held job ``cancelled`` (its worker stopped it); ``False`` if the lease is lost."""
    stopped = _count(db, update(Job).where(_held(lease)).values(**_cancelled_values()))
    db.commit()
    return bool(stopped)


def fail_held_jobs(db: DbSession, worker: str, outcome: JobOutcome) -> list[str]:
    """End the jobs a dead worker held with ``outcome`` (a crash); return their new states.

    Each is finished as by :func:`finish_job` (a crash is retryable: queued
    again while attempts are left). Commits.
    """
    rows = db.execute(
        select(Job.id, Job.attempts).where(Job.state == "running", Job.worker == worker)
    ).all()
    db.commit()
    states = [finish_job(db, Lease(job_id, worker, attempts), outcome) for job_id, attempts in rows]
    return [state for state in states if state is not None]


def release_held_jobs(db: DbSession, workers: Sequence[str]) -> int:
    """Queue again the jobs that ``workers`` hold, as if never claimed (a clean stop).

    The attempt is given back: stopping the server is not the job's fault.
    A job whose cancellation was requested is ``cancelled`` instead.
    Returns how many were queued again. Commits.
    """
    if not workers:
        return 0
    running = and_(Job.state == "running", Job.worker.in_(list(workers)))
    _count(db, update(Job).where(running, Job.cancel_requested.is_(True))
           .values(**_cancelled_values()))  # fmt: skip
    released = _count(db, update(Job).where(running).values(
        state="queued", worker="", stage="", frames_done=0, frames_total=None, started=None,
        attempts=Job.attempts - 1))  # fmt: skip
    db.commit()
    return released


@dataclass(frozen=True)
class Recovery:
    """What :func:`requeue_interrupted_jobs` did at start-up (counts of jobs)."""

    requeued: int
    cancelled: int
    failed: int


def requeue_interrupted_jobs(db: DbSession, now: dt.datetime | None = None) -> Recovery:
    """Queue again every ``running`` job: at start-up their workers are gone.

    Call once, when the server starts, before any worker: it assumes this
    server is the only one working on the queue. A job whose cancellation
    was requested is ``cancelled``; one that has already been claimed
    :data:`MAX_ATTEMPTS` times (the server died during it each time) is
    ``failed`` as ``crashed`` instead of being tried forever. Commits.
    """
    when = now or now_utc()
    running = Job.state == "running"
    cancelled = _count(db, update(Job).where(running, Job.cancel_requested.is_(True))
                       .values(**_cancelled_values()))  # fmt: skip
    reason = f"the server stopped during this analysis {MAX_ATTEMPTS} times"
    failed = _count(db, update(Job).where(running, Job.attempts >= MAX_ATTEMPTS).values(
        state="failed", outcome="crashed", reason=reason, worker="", finished=when))  # fmt: skip
    requeued = _count(db, update(Job).where(running).values(
        state="queued", worker="", stage="", frames_done=0, frames_total=None,
        started=None))  # fmt: skip
    db.commit()
    return Recovery(requeued, cancelled, failed)
