"""A long-lived analysis process for local batch runs (``python -m runform.batch.worker``).

Starting Python and importing MediaPipe, SciPy and matplotlib takes about
5 s, as long as the pose extraction of a 4 s clip. A batch therefore keeps
one of these processes per slot and sends it job after job: one JSON line
in (``{"arguments": [...]}``: the ``runform`` arguments of the job), one
JSON line out (``{"code": exit status, "stderr": what runform printed}``).

The reply goes to a copy of the original stdout; the process's stdout
itself is pointed at stderr so that nothing else printed can corrupt the
protocol. A native crash kills the process: the batch sees the pipe close,
records that one video as crashed and starts a fresh worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from typing import IO


def serve(requests: IO[str], replies: IO[str]) -> int:
    """Run ``runform`` once per request line until ``requests`` ends; return 0."""
    from runform.cli import main

    for line in requests:
        if not line.strip():
            continue
        code, stderr = run_captured(main, json.loads(line)["arguments"])
        replies.write(json.dumps({"code": code, "stderr": stderr}) + "\n")
        replies.flush()
    return 0


def run_captured(main: Callable[[list[str]], int], arguments: list[str]) -> tuple[int, str]:
    """Run ``main(arguments)`` with file descriptor 2 sent to a scratch file.

    Everything the job writes to stderr (its warnings and errors, written by
    runform through a copy of descriptor 2) comes back as text, as it would
    from a process of its own.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        stream = open(os.dup(2), "w", encoding="utf-8", buffering=1)  # noqa: SIM115, PTH123
        try:
            with contextlib.redirect_stderr(stream):
                try:
                    code = main(arguments)
                except SystemExit as stop:  # argparse refusing the arguments
                    code = stop.code if isinstance(stop.code, int) else 2
        finally:
            stream.close()
            os.dup2(saved, 2)
            os.close(saved)
        scratch.seek(0)
        return code, scratch.read().decode("utf-8", "replace")


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
