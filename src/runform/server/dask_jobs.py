"""The server's jobs on a Dask cluster (``runform serve --scheduler tcp://HOST:PORT``).

The queue stays in the server's database and works as it does locally: a
dispatching thread per slot (``settings.workers`` of them, at least one)
claims the oldest queued job, submits it to the cluster and waits for it.
The task (:func:`run_job_on_dask`) runs the job in a fresh
``python -m runform.server.dask_jobs`` process, as ``runform batch`` does on
Dask, so a native crash never takes a Dask worker down; that process opens
the database itself, records progress, honours a cancel and finishes the
job (:func:`runform.server.job_run.run_job`). When the process or the Dask
worker dies, the dispatcher ends the job as ``crashed`` (queued again while
attempts are left).

The Dask workers must reach the database (PostgreSQL; SQLite only on the
same machine) and the data folder at the same path (a shared file system).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from runform.batch.outcome import JobOutcome
from runform.batch.pool import JOB_TIMEOUT_S, WORKER_ENV
from runform.errors import RunformError
from runform.server.config import ServerSettings
from runform.server.database import open_session
from runform.server.queue import Lease, claim_next_job, finish_job, release_held_jobs

__all__ = ["DaskDispatcher", "JobTicket", "run_job_on_dask"]

logger = logging.getLogger("runform.server.dask")

#: Characters of a failed job process's stderr kept in the log.
_LOG_TAIL = 4000


@dataclass(frozen=True)
class JobTicket:
    """A claimed job as a Dask task carries it (plain data, picklable).

    Attributes
    ----------
    database_url
        Where the queue is (the task records progress and the outcome there).
    data_dir
        The data folder, at a path the Dask worker can reach.
    job_id, worker, attempt
        The :class:`~runform.server.queue.Lease`.
    """

    database_url: str
    data_dir: str
    job_id: int
    worker: str
    attempt: int


def run_job_on_dask(ticket: JobTicket) -> dict[str, Any]:
    """Run one job in a fresh process on this Dask worker; return its exit status and log.

    The ticket goes to the process on its standard input (the database URL
    may hold a password: never on a command line).
    """
    try:
        done = subprocess.run(
            [sys.executable, "-m", "runform.server.dask_jobs"],
            input=json.dumps(asdict(ticket)), capture_output=True, text=True,
            env={**os.environ, **WORKER_ENV}, timeout=JOB_TIMEOUT_S, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"returncode": None, "timed_out": True, "log": ""}
    return {"returncode": done.returncode, "timed_out": False, "log": done.stderr[-_LOG_TAIL:]}


def _outcome_of(result: dict[str, Any] | None, error: BaseException | None) -> JobOutcome | None:
    """How a task that did not finish its job ended (``None``: it did)."""
    if error is not None:
        return JobOutcome("crashed", f"the Dask task failed: {error}", retry=True)
    assert result is not None
    if result.get("timed_out"):
        return JobOutcome("timeout", f"took longer than {JOB_TIMEOUT_S:g} s", retry=True)
    code = result.get("returncode")
    if code == 0:
        return None
    how = f"signal {-code}" if isinstance(code, int) and code < 0 else f"exit status {code}"
    return JobOutcome("crashed", f"the analysis process crashed ({how})", retry=True,
                      log=str(result.get("log", "")))  # fmt: skip


class DaskDispatcher:
    """Claim jobs and run them as Dask tasks, one at a time per slot.

    Parameters
    ----------
    settings
        ``scheduler`` (the cluster's address), ``workers`` (slots), the
        database URL and the data folder.
    sessions
        The server's database sessions.
    poll_s
        Longest idle wait between two looks at the queue, s.
    """

    def __init__(
        self, settings: ServerSettings, sessions: sessionmaker[DbSession], poll_s: float
    ) -> None:
        self.settings, self._sessions, self._poll_s = settings, sessions, poll_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._names = [f"{_server_name()}/dask-{i}" for i in range(max(1, settings.workers))]
        self._client: Any = None

    def start(self) -> None:
        """Connect to the scheduler and start the slots.

        Raises
        ------
        RunformError
            If the scheduler cannot be reached.
        """
        from distributed import Client

        try:
            self._client = Client(self.settings.scheduler, timeout="20s")
        except OSError as error:
            where = self.settings.scheduler
            raise RunformError(f"cannot reach the Dask scheduler {where}: {error}",
                               hint="start it with `dask-scheduler`") from None  # fmt: skip
        for name in self._names:
            thread = threading.Thread(target=self._serve, args=(name,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """Tell idle slots that a job was queued."""
        self._wake.set()

    def _serve(self, name: str) -> None:
        while not self._stop.is_set():
            try:
                with open_session(self._sessions) as db:
                    lease = claim_next_job(db, name)
            except Exception as error:  # the database is away: try again later
                logger.warning("%s cannot claim a job: %s", name, error)
                lease = None
            if lease is None:
                if self._wake.wait(self._poll_s):
                    self._wake.clear()
                continue
            try:
                self._run(lease)
            except Exception as error:  # the scheduler away, say: this job fails, not the slot
                self._end(lease, JobOutcome("crashed", f"the Dask task failed: {error}",
                                            retry=True))  # fmt: skip

    def _run(self, lease: Lease) -> None:
        ticket = JobTicket(self.settings.url, str(self.settings.data_dir.resolve()),
                           lease.job_id, lease.worker, lease.attempt)  # fmt: skip
        future = self._client.submit(run_job_on_dask, ticket, pure=False,
                                     key=f"runform-job-{lease.job_id}-{lease.attempt}")  # fmt: skip
        while not future.done():
            if self._stop.wait(self._poll_s):
                future.cancel()  # the job is queued again by stop(); its process sees that
                return
        result, error = None, None
        try:
            result = future.result()
        except Exception as failure:  # a Dask worker lost, say: only this job fails
            error = failure
        outcome = _outcome_of(result, error)
        if outcome is not None:
            self._end(lease, outcome)

    def _end(self, lease: Lease, outcome: JobOutcome) -> None:
        """End a job whose task did not (nothing happens if the job was finished)."""
        logger.warning("job %d on Dask: %s", lease.job_id, outcome.reason)
        try:
            with open_session(self._sessions) as db:
                finish_job(db, lease, outcome)
        except Exception as failure:  # the next start requeues it anyway
            logger.warning("could not record the end of job %d: %s", lease.job_id, failure)

    def stop(self) -> None:
        """Stop claiming, queue the running jobs again and disconnect."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=5)
        with open_session(self._sessions) as db:
            release_held_jobs(db, self._names)
        if self._client is not None:
            self._client.close()


def _server_name() -> str:
    from runform.server.job_run import describe_worker

    return describe_worker()


def main() -> int:
    """Run the job of the ticket on standard input (the process of :func:`run_job_on_dask`)."""
    from runform.server.database import create_database_engine
    from runform.server.job_run import quiet_worker_process, run_job

    quiet_worker_process()
    ticket = JobTicket(**json.loads(sys.stdin.read()))
    engine = create_database_engine(ticket.database_url)
    try:
        lease = Lease(ticket.job_id, ticket.worker, ticket.attempt)
        run_job(sessionmaker(engine), Path(ticket.data_dir), lease)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
