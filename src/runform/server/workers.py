"""The analysis workers: ``settings.workers`` processes fed by the durable queue.

:func:`start_workers` (called by the app's lifespan) requeues the jobs a
killed server left ``running`` and starts a :class:`WorkerPool`:

* locally, ``settings.workers`` processes started with the ``spawn`` method,
  each with its own database engine and its own landmarkers, created after
  it starts (:func:`runform.server.job_run.serve_jobs`); or
* with ``settings.scheduler``, the same jobs run as Dask tasks on that
  cluster (:mod:`runform.server.dask_jobs`).

A supervising thread replaces a worker process that died: a native crash
costs only the job it held, which ends as ``crashed`` (queued again while
attempts are left). A job running longer than :data:`JOB_TIMEOUT_S` is
ended as ``timeout`` and its process replaced. A worker whose server
process is gone (killed) exits at once, leaving its job to be requeued
when the server starts again. :meth:`WorkerPool.stop` returns within a few
seconds: idle workers exit, busy ones are terminated and their jobs queued
again as if never claimed.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from runform.batch.outcome import JobOutcome
from runform.batch.pool import JOB_TIMEOUT_S
from runform.server.config import ServerSettings
from runform.server.database import create_database_engine, open_session
from runform.server.job_run import (
    WorkerConfig,
    describe_worker,
    quiet_worker_process,
    serve_jobs,
)
from runform.server.models import Job, now_utc
from runform.server.queue import fail_held_jobs, release_held_jobs, requeue_interrupted_jobs

__all__ = [
    "JOB_TIMEOUT_S",
    "WorkerPool",
    "run_worker_process",
    "start_workers",
]

logger = logging.getLogger("runform.server.workers")

#: How often the supervisor looks at its processes, s.
SUPERVISE_S = 0.5
#: How long :meth:`WorkerPool.stop` lets workers leave by themselves before stopping them, s.
STOP_GRACE_S = 1.0
#: A worker that dies sooner than this after starting waits before it is replaced, s.
QUICK_DEATH_S = 10.0
#: Longest wait before replacing a worker that keeps dying at start, s.
MAX_RESTART_DELAY_S = 30.0
#: Exit status of a worker that found its server gone.
EXIT_SERVER_GONE = 3


def _exit_with_server() -> None:
    """Exit this worker process at once when the process that started it dies."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(EXIT_SERVER_GONE)  # the job stays running; the next start requeues it

    threading.Thread(target=watch, name="runform-server-watch", daemon=True).start()


def _log_to_server_output() -> None:
    """Send this worker's log messages (a job's internal error, a failed warm-up) to stdout.

    The worker inherits the server's standard error, which ``runform``
    points at a scratch file to keep MediaPipe's native chatter out of sight:
    a warning left to Python's default there would never be seen. Standard
    output is the server's own (where uvicorn writes its access log).
    """
    from uvicorn.logging import DefaultFormatter

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(DefaultFormatter("%(levelprefix)s analysis worker %(process)d: "
                                          "%(message)s", use_colors=False))  # fmt: skip
    logger = logging.getLogger("runform")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def run_worker_process(config: WorkerConfig, stop: Any, wake: Any) -> None:
    """Entry point of a worker process (spawned): serve jobs until told to stop.

    The process exits at once if the server dies (see the module); its log
    messages go to the server's standard output.
    """
    quiet_worker_process()
    _log_to_server_output()
    _exit_with_server()
    serve_jobs(config, stop, wake)


@dataclass
class _Slot:
    """One worker process of the pool and when it started."""

    index: int
    process: Any = None
    name: str = ""
    started: float = 0.0
    quick_deaths: int = 0
    not_before: float = 0.0
    retired: list[str] = field(default_factory=list)


class WorkerPool:
    """The server's analysis workers (see the module).

    Parameters
    ----------
    settings
        ``workers`` (processes, or Dask slots), ``scheduler``, the database
        and the data folder.
    poll_s
        Longest idle wait of a worker between two looks at the queue, s.
    """

    def __init__(self, settings: ServerSettings, *, poll_s: float | None = None) -> None:
        self.settings = settings
        config = WorkerConfig(settings.url, settings.data_dir)
        self._config = config if poll_s is None else replace(config, poll_s=poll_s)
        self._context = multiprocessing.get_context("spawn")
        self._stop = self._context.Event()
        self._wake = self._context.Event()
        self._slots: list[_Slot] = []
        self._engine: Engine | None = None
        self._sessions: sessionmaker[DbSession] | None = None
        self._supervisor: threading.Thread | None = None
        self._dispatcher: Any = None
        self._lock = threading.Lock()

    @property
    def pids(self) -> list[int]:
        """Process ids of the live local workers."""
        with self._lock:
            return [s.process.pid for s in self._slots if s.process and s.process.is_alive()]

    def start(self) -> None:
        """Requeue what a killed server left running, then start the workers."""
        self._engine = create_database_engine(self.settings.url)
        self._sessions = sessionmaker(self._engine)
        with open_session(self._sessions) as db:
            recovery = requeue_interrupted_jobs(db)
        if recovery.requeued or recovery.cancelled or recovery.failed:
            logger.info("at start: %d job(s) queued again, %d cancelled, %d failed",
                        recovery.requeued, recovery.cancelled, recovery.failed)  # fmt: skip
        if self.settings.scheduler:
            from runform.server.dask_jobs import DaskDispatcher

            self._dispatcher = DaskDispatcher(self.settings, self._sessions, self._config.poll_s)
            self._dispatcher.start()
            return
        with self._lock:
            self._slots = [_Slot(i) for i in range(self.settings.workers)]
            for slot in self._slots:
                self._launch(slot)
        self._supervisor = threading.Thread(target=self._supervise, name="runform-workers",
                                            daemon=True)  # fmt: skip
        self._supervisor.start()

    def wake(self) -> None:
        """Tell idle workers that a job was queued (else they look within ``poll_s``)."""
        self._wake.set()
        if self._dispatcher is not None:
            self._dispatcher.wake()

    def _launch(self, slot: _Slot) -> None:
        process = self._context.Process(
            target=run_worker_process, name=f"runform-worker-{slot.index}",
            args=(self._config, self._stop, self._wake), daemon=True,
        )  # fmt: skip
        process.start()
        slot.process, slot.started = process, time.monotonic()
        slot.name = describe_worker(process.pid)

    def _supervise(self) -> None:
        last_timeout_check = 0.0
        while not self._stop.wait(SUPERVISE_S):
            now = time.monotonic()
            try:
                with self._lock:
                    for slot in self._slots:
                        if not self._stop.is_set():
                            self._look_after(slot, now)
                if now - last_timeout_check >= 30 * SUPERVISE_S:
                    last_timeout_check = now
                    self._end_late_jobs()
            except Exception:  # the database away, say: keep supervising
                logger.exception("supervising the analysis workers failed; trying again")

    def _look_after(self, slot: _Slot, now: float) -> None:
        """Replace a worker process that ended; a crash ends the job it held."""
        process = slot.process
        if process is not None and process.is_alive():
            return
        if process is not None:
            code = process.exitcode
            process.join(timeout=1)
            if code != 0:
                how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
                logger.warning("analysis worker %s died (%s)", slot.name, how)
                self._fail_jobs_of(slot.name, JobOutcome(
                    "crashed", f"the analysis process crashed ({how})", retry=True))  # fmt: skip
            quick = now - slot.started < QUICK_DEATH_S and code != 0
            slot.quick_deaths = slot.quick_deaths + 1 if quick else 0
            delay = min(MAX_RESTART_DELAY_S, 2.0**slot.quick_deaths - 1) if quick else 0.0
            slot.retired.append(slot.name)
            slot.process, slot.not_before = None, now + delay
        if now >= slot.not_before:
            self._launch(slot)

    def _fail_jobs_of(self, worker: str, outcome: JobOutcome) -> None:
        assert self._sessions is not None
        try:
            with open_session(self._sessions) as db:
                fail_held_jobs(db, worker, outcome)
        except Exception as error:  # the next start requeues it anyway
            logger.warning("could not record the end of %s's job: %s", worker, error)

    def _end_late_jobs(self) -> None:
        """End jobs running past :data:`JOB_TIMEOUT_S` as ``timeout`` and replace their worker."""
        assert self._sessions is not None
        limit = now_utc() - dt.timedelta(seconds=JOB_TIMEOUT_S)
        names = {slot.name: slot for slot in self._slots if slot.process is not None}
        with open_session(self._sessions) as db:
            running = select(Job.worker).where(Job.state == "running", Job.started < limit)
            late = db.scalars(running.where(Job.worker.in_(list(names)))).all()
        for name in set(late):
            outcome = JobOutcome("timeout", f"took longer than {JOB_TIMEOUT_S:g} s", retry=True)
            self._fail_jobs_of(name, outcome)
            names[name].process.kill()  # replaced at the next look, its job already ended

    def stop(self) -> None:
        """Stop the workers within seconds; the jobs they held are queued again."""
        self._stop.set()
        self._wake.set()
        if self._dispatcher is not None:
            self._dispatcher.stop()
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)
        with self._lock:
            processes = [slot.process for slot in self._slots if slot.process is not None]
            names = [name for slot in self._slots for name in (*slot.retired, slot.name)]
        deadline = time.monotonic() + STOP_GRACE_S
        for process in processes:  # idle workers leave by themselves
            process.join(timeout=max(0.0, deadline - time.monotonic()))
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        if self._sessions is not None:
            with open_session(self._sessions) as db:
                released = release_held_jobs(db, [n for n in names if n])
            if released:
                logger.info("%d running job(s) queued again for the next start", released)
        if self._engine is not None:
            self._engine.dispose()


def start_workers(settings: ServerSettings) -> WorkerPool:
    """Start the server's analysis workers (see :class:`WorkerPool`); the app stops them."""
    pool = WorkerPool(settings)
    pool.start()
    return pool
