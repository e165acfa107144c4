"""Run claimed jobs in this process: the body of every server worker, local or on Dask.

:func:`run_job` analyses one claimed job with the library pipeline
(:func:`runform.batch.outcome.analyse_video`: ``analyze_clip`` then
``write_artifacts``, the same typed outcomes as ``runform batch``) and
records how it ended. Its progress callback (:class:`ProgressReporter`)
stores the stage and frames done, at most every :data:`PROGRESS_INTERVAL_S`
and at each new stage, and stops the job by raising :class:`JobStopped` when
the coach cancelled it or the job is no longer this worker's.

:func:`serve_jobs` is a worker's loop: claim the oldest queued job, run it,
again; when the queue is empty, wait for a wake-up or :data:`IDLE_POLL_S`.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from runform.batch.outcome import JobOutcome, analyse_video, classify_error
from runform.batch.pool import WORKER_ENV
from runform.server.database import create_database_engine, open_session
from runform.server.models import Job
from runform.server.queue import (
    Directive,
    JobSpec,
    Lease,
    check_job,
    claim_next_job,
    finish_job,
    read_job_spec,
    record_progress,
    stop_cancelled_job,
)

if TYPE_CHECKING:  # imported when the worker starts: numpy after OMP_NUM_THREADS is set
    from runform.pose.landmarker_cache import LandmarkerCache

__all__ = [
    "IDLE_POLL_S",
    "MAX_JOBS_PER_PROCESS",
    "PROGRESS_INTERVAL_S",
    "JobStopped",
    "ProgressReporter",
    "WorkerConfig",
    "describe_worker",
    "quiet_worker_process",
    "run_job",
    "serve_jobs",
]

logger = logging.getLogger("runform.server.jobs")

#: Shortest time between two progress writes of one job (a new stage is written at once), s.
PROGRESS_INTERVAL_S = 0.5
#: Longest wait of an idle worker before it looks at the queue again, s.
IDLE_POLL_S = 1.0
#: Jobs one worker process runs before it is replaced (bounds any slow leak in native code).
MAX_JOBS_PER_PROCESS = 25


class Waitable(Protocol):
    """An event a worker waits on (``threading.Event`` or a multiprocessing one)."""

    def is_set(self) -> bool:
        """Whether it is set."""
        ...

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until it is set or ``timeout`` s have passed; return whether it is set."""
        ...

    def clear(self) -> None:
        """Unset it."""
        ...


class JobStopped(BaseException):
    """Raised by the progress callback to stop a job that must not go on.

    A ``BaseException``, like ``asyncio.CancelledError``, so that the
    pipeline's ``except Exception`` never turns it into a failed outcome.

    Parameters
    ----------
    directive
        ``"cancel"`` (the coach asked) or ``"lost"`` (the job is no longer
        this worker's: requeued, cancelled or deleted).
    """

    def __init__(self, directive: Directive) -> None:
        super().__init__(directive)
        self.directive = directive


class ProgressReporter:
    """The progress callback of one job: stores progress, throttled, and stops the job if told.

    Parameters
    ----------
    sessions
        Makes database sessions.
    lease
        The job's claim.
    interval_s
        Shortest time between two writes of the same stage, s.
    clock
        Monotonic seconds (for tests).
    """

    def __init__(
        self,
        sessions: sessionmaker[DbSession],
        lease: Lease,
        interval_s: float = PROGRESS_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions, self._lease = sessions, lease
        self._interval_s, self._clock = interval_s, clock
        self._stage = ""
        self._last = -float("inf")
        self.writes = 0

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        """Record that ``done`` of ``total`` frames of ``stage`` are done (see ``Progress``).

        Raises
        ------
        JobStopped
            When the job was cancelled or is no longer this worker's.
        """
        now = self._clock()
        finished = total is not None and done >= total
        if stage == self._stage and now - self._last < self._interval_s and not finished:
            return
        self._stage, self._last = stage, now
        self.writes += 1
        with open_session(self._sessions) as db:
            directive = record_progress(db, self._lease, stage, done, total)
        if directive != "continue":
            raise JobStopped(directive)

    def check(self) -> None:
        """Stop the job now if it was cancelled or lost (no write)."""
        with open_session(self._sessions) as db:
            directive = check_job(db, self._lease)
        if directive != "continue":
            raise JobStopped(directive)


def quiet_worker_process() -> None:
    """Set up a process that runs jobs (call first, before numpy is imported).

    One inference thread (the server parallelises over processes), Ctrl-C
    left to the server (which stops its workers), and Python warnings off
    (those about an upload are in its outcome).
    """
    for name, value in WORKER_ENV.items():
        os.environ.setdefault(name, value)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warnings.filterwarnings("ignore")


def describe_worker(pid: int | None = None) -> str:
    """Name a worker process as ``jobs.worker`` stores it: ``host:pid``."""
    return f"{socket.gethostname()[:80]}:{os.getpid() if pid is None else pid}"


def _inside(data_dir: Path, relative: PurePosixPath) -> Path | None:
    """Return the path ``relative`` names inside ``data_dir``, or ``None`` if it leaves it."""
    path = data_dir / relative
    root = data_dir.resolve()
    return path if path.resolve().is_relative_to(root) and path.resolve() != root else None


def _name_the_upload(outcome: JobOutcome, video: Path, filename: str) -> JobOutcome:
    """Say the upload's own name where the pipeline named the stored file."""

    def rename(text: str) -> str:
        return text.replace(str(video), filename).replace(video.name, filename)

    return JobOutcome(outcome.kind, rename(outcome.reason), outcome.retry,
                      tuple(rename(w) for w in outcome.warnings), outcome.log)  # fmt: skip


def analyse_spec(
    spec: JobSpec, data_dir: Path, reporter: ProgressReporter, landmarkers: LandmarkerCache | None
) -> JobOutcome:
    """Analyse one job's upload into its result folder; return the outcome.

    Raises
    ------
    JobStopped
        From ``reporter``, when the job must stop.
    """
    from runform.pipeline import AnalysisOptions, OutputOptions

    video, folder = _inside(data_dir, spec.video_path), _inside(data_dir, spec.result_path)
    if video is None or folder is None:
        return JobOutcome("bad_upload", "the session's files are not inside the data folder")
    try:
        options = AnalysisOptions(height_cm=spec.height_cm, drill=spec.drill, workers=1,
                                  use_cache=False)  # fmt: skip
    except Exception as error:  # a stored height or drill out of range: retrying cannot help
        return JobOutcome("internal_error", classify_error(error).reason, retry=False)
    reporter.check()
    outcome = analyse_video(video, folder, options, OutputOptions(), progress=reporter,
                            landmarkers=landmarkers)  # fmt: skip
    return _name_the_upload(outcome, video, spec.filename)


def run_job(
    sessions: sessionmaker[DbSession],
    data_dir: Path,
    lease: Lease,
    landmarkers: LandmarkerCache | None = None,
) -> str | None:
    """Run one claimed job to its end and record it.

    Returns
    -------
    str or None
        The job's new state (``done``, ``failed``, ``queued`` for a retry,
        ``cancelled``), or ``None`` when the job was no longer this
        worker's (its result, if any, is left to whoever holds it now, or
        removed when the job itself was deleted).
    """
    with open_session(sessions) as db:
        spec = read_job_spec(db, lease)
    if spec is None:
        return None
    reporter = ProgressReporter(sessions, lease)
    try:
        outcome = analyse_spec(spec, data_dir, reporter, landmarkers)
    except JobStopped as stopped:
        if stopped.directive == "cancel":
            with open_session(sessions) as db:
                return "cancelled" if stop_cancelled_job(db, lease) else None
        return None
    if outcome.log and outcome.kind == "internal_error":
        logger.warning("job %d: %s\n%s", lease.job_id, outcome.reason, outcome.log)
    with open_session(sessions) as db:
        state = finish_job(db, lease, outcome)
        gone = state is None and db.scalar(select(Job.id).where(Job.id == lease.job_id)) is None
    if gone and (folder := _inside(data_dir, spec.result_path)) is not None:
        shutil.rmtree(folder, ignore_errors=True)  # the session was deleted meanwhile
    return state


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker process needs (picklable: it crosses to a spawned process).

    Attributes
    ----------
    database_url
        SQLAlchemy URL of the queue's database.
    data_dir
        The server's data folder (uploads and results).
    poll_s
        Longest idle wait between two looks at the queue, s.
    max_jobs
        Jobs run before the process ends (it is then replaced).
    """

    database_url: str
    data_dir: Path
    poll_s: float = IDLE_POLL_S
    max_jobs: int = MAX_JOBS_PER_PROCESS


#: What a job loads after pose extraction: analyze_clip's stages (SciPy, xarray, the
#: checkpoints) and write_artifacts' (matplotlib, Jinja2), imported by name since
#: the pipeline's modules import them only when called.
ANALYSIS_MODULES = (
    "runform.pipeline.clip",
    "runform.pipeline.artifacts",
    "runform.checkpoints.assess",
    "runform.checkpoints.rubric",
    "runform.gait.analyze",
    "runform.scene.runner",
    "runform.scene.camera_motion",
    "runform.report.figures",
    "runform.report.html",
    "runform.report.video",
)


def warm_up(landmarkers: LandmarkerCache) -> None:
    """Load MediaPipe, the model and the pipeline's libraries now, not in the first job."""
    import importlib
    from dataclasses import replace

    from runform.pose.models import resolve_model
    from runform.pose.settings import MAX_PEOPLE, ExtractionSettings

    for name in ANALYSIS_MODULES:  # each loads its libraries on first use, not on import
        importlib.import_module(name)
    try:
        model = resolve_model(None)
        probe = replace(ExtractionSettings().landmarker, num_poses=MAX_PEOPLE)
        landmarkers.warm_up(model.path, probe)
    except Exception as error:  # each job will say what is wrong (no model, say)
        logger.warning("worker warm-up failed: %s", error)


def serve_jobs(config: WorkerConfig, stop: Waitable, wake: Waitable) -> int:
    """Claim and run jobs until ``stop`` is set or :attr:`WorkerConfig.max_jobs` are run.

    Creates this process's database engine and its :class:`LandmarkerCache`
    first. Returns the number of jobs run.
    """
    from runform.pose.landmarker_cache import LandmarkerCache

    engine = create_database_engine(config.database_url)
    sessions = sessionmaker(engine)
    worker = describe_worker()
    ran = 0
    with LandmarkerCache() as landmarkers:
        warm_up(landmarkers)
        try:
            while not stop.is_set() and ran < config.max_jobs:
                try:
                    with open_session(sessions) as db:
                        lease = claim_next_job(db, worker)
                except SQLAlchemyError as error:  # the database is away: try again later
                    logger.warning("worker %s cannot claim a job: %s", worker, error)
                    lease = None
                if lease is None:
                    if wake.wait(config.poll_s):
                        wake.clear()
                    continue
                run_job(sessions, config.data_dir, lease, landmarkers)
                ran += 1
        finally:
            engine.dispose()
    return ran
