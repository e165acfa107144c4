"""Long-lived analysis processes for local batch runs, one per slot.

Each :class:`Worker` is a ``python -m runform.batch.worker`` process that
runs job after job, so Python and the model libraries are imported once
per slot instead of once per video. A job that kills its process (a native
crash, or the time limit) is reported with the signal, and the slot starts
a fresh process for its next job: a crash still costs only its own video.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from typing import IO, Any

from runform.batch.outcome import JobOutcome

#: Longest time one video may take before its process is stopped, seconds.
JOB_TIMEOUT_S = 3600
#: Environment of every analysis process: one inference thread per process (the batch
#: parallelises over processes), and no Python warnings in the job logs.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}

#: The worker process (see :mod:`runform.batch.worker`).
WORKER_COMMAND = (sys.executable, "-m", "runform.batch.worker")
#: Jobs one process runs before it is replaced (bounds any slow leak in native code).
MAX_JOBS_PER_WORKER = 25
#: Characters of a crashed process's own stderr kept for ``stderr.log``.
_LOG_TAIL = 4000


class Worker:
    """One analysis process and its pipes.

    Parameters
    ----------
    env
        Environment variables added to this process's environment.
    command
        The process to start (default :data:`WORKER_COMMAND`); it must speak
        the protocol of :mod:`runform.batch.worker`.
    """

    def __init__(self, env: dict[str, str], command: Sequence[str] | None = None) -> None:
        command = WORKER_COMMAND if command is None else command
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self.process = subprocess.Popen(
            list(command),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
            env={**os.environ, **env}, text=True, encoding="utf-8", bufsize=1,
        )  # fmt: skip
        self.jobs_run = 0
        self._timed_out = False

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None

    def run(self, request: dict[str, Any], timeout_s: float = JOB_TIMEOUT_S) -> JobOutcome:
        """Run one job request in this process (see :mod:`runform.batch.worker`).

        Returns
        -------
        JobOutcome
            The worker's outcome; ``crashed`` (with the signal and the tail
            of the process's stderr) when the process died, ``timeout`` when
            it ran past ``timeout_s`` (it is then killed).
        """
        self.jobs_run += 1
        timer = threading.Timer(timeout_s, self._stop_late)
        timer.start()
        try:
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (OSError, ValueError):  # the process died (or was killed) mid-job
            line = ""
        finally:
            timer.cancel()
        if line:
            return JobOutcome.from_dict(json.loads(line)["outcome"])
        code = self.process.wait()
        if self._timed_out:
            return JobOutcome("timeout", f"took longer than {timeout_s:g} s", retry=True)
        how = f"signal {-code}" if code < 0 else f"exit status {code}"
        return JobOutcome("crashed", f"the analysis process crashed ({how})", retry=True,
                          log=self._read_log())  # fmt: skip

    def _stop_late(self) -> None:
        self._timed_out = True
        self.process.kill()

    def _read_log(self) -> str:
        self._log.seek(0, os.SEEK_END)
        self._log.seek(max(0, self._log.tell() - _LOG_TAIL))
        return self._log.read().decode("utf-8", "replace")

    def close(self, kill: bool = False) -> None:
        """End the process: let it finish (close its input) or kill it."""
        if kill:  # another thread may be reading its pipes: leave them to that thread
            self.process.kill()
            self.process.wait()
            return
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self._log.close()


class WorkerPool:
    """``size`` slots, each lending one :class:`Worker` to one job at a time.

    Workers start on first use. Use as a context manager: leaving it normally
    lets every worker exit; leaving it with an exception (Ctrl-C) kills them,
    so the jobs still running end at once (and are recorded as failed).
    """

    def __init__(
        self, size: int, env: dict[str, str] | None = None, command: Sequence[str] | None = None
    ) -> None:
        self._env = {**WORKER_ENV, **(env or {})}
        self._command = None if command is None else tuple(command)
        self._idle: queue.SimpleQueue[Worker | None] = queue.SimpleQueue()
        for _ in range(max(1, size)):
            self._idle.put(None)
        self._workers: list[Worker] = []
        self._lock = threading.Lock()

    def run(self, request: dict[str, Any]) -> JobOutcome:
        """Run one job on a free worker (waiting for one); see :meth:`Worker.run`."""
        worker = self._idle.get()
        try:
            if worker is None or not worker.alive or worker.jobs_run >= MAX_JOBS_PER_WORKER:
                if worker is not None:
                    self._retire(worker)
                worker = Worker(self._env, self._command)
                with self._lock:
                    self._workers.append(worker)
            return worker.run(request)
        finally:
            self._idle.put(worker)

    def _retire(self, worker: Worker) -> None:
        with self._lock:
            self._workers.remove(worker)
        worker.close()

    def close(self, kill: bool = False) -> None:
        """End every worker (see :meth:`Worker.close`)."""
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.close(kill=kill)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: Any, *_rest: Any) -> None:
        self.close(kill=kind is not None)
