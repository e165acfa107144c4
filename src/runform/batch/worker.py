"""A long-lived analysis process for local batch runs (``python -m runform.batch.worker``).

Starting Python and importing MediaPipe, SciPy and matplotlib takes about
5 s, as long as the pose extraction of a 4 s clip. A batch therefore keeps
one of these processes per slot and sends it job after job: one JSON line
in (``{"job": ..., "folder": ..., "settings": ...}``), one JSON line out
(``{"outcome": ...}``, a :class:`runform.batch.outcome.JobOutcome`). The job
runs through the library (:func:`runform.batch.outcome.analyse_job`); what
native code writes to stderr meanwhile is kept as the outcome's log.

The reply goes to a copy of the original stdout; the process's stdout
itself is pointed at stderr so that nothing else printed can corrupt the
protocol. A native crash kills the process: the batch sees the pipe close,
records that one video as crashed and starts a fresh worker.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import IO, Any

from runform.batch.outcome import JobOutcome, analyse_job, classify_error

#: Characters of a job's stderr kept in its outcome.
LOG_TAIL = 4000


def run_request(request: dict[str, Any]) -> JobOutcome:
    """Run one job request with descriptor 2 sent to a scratch file (kept as the log)."""
    from runform.batch.jobs import Job

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # warnings about the input are in the outcome
                try:
                    job = Job(**request["job"])
                    outcome = analyse_job(job, Path(request["folder"]), request["settings"])
                except (KeyError, TypeError) as error:
                    outcome = classify_error(error)
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        scratch.seek(0, os.SEEK_END)
        scratch.seek(max(0, scratch.tell() - LOG_TAIL))
        native = scratch.read().decode("utf-8", "replace")
    if outcome.status == "ok" or not native:
        return outcome
    log = f"{outcome.log}\n{native}".strip()
    return JobOutcome(outcome.kind, outcome.reason, outcome.retry, outcome.warnings, log)


def serve(requests: IO[str], replies: IO[str]) -> int:
    """Run one job per request line until ``requests`` ends; return 0."""
    for line in requests:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as error:
            outcome = classify_error(error)
        else:
            outcome = run_request(request)
        replies.write(json.dumps({"outcome": outcome.to_dict()}) + "\n")
        replies.flush()
    return 0


def main() -> int:
    """Serve requests on stdin, replying on the original stdout."""
    sys.stdout.flush()
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # stray prints (and native code writing to fd 1) go to stderr
    try:
        return serve(sys.stdin, replies)
    except KeyboardInterrupt:  # Ctrl-C between jobs: the batch is stopping
        return 130


if __name__ == "__main__":
    sys.exit(main())
