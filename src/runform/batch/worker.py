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
import io
import json
import os
import sys
from typing import IO


def serve(requests: IO[str], replies: IO[str]) -> int:
    """Run ``runform`` once per request line until ``requests`` ends; return 0."""
    from runform.cli import main

    for line in requests:
        if not line.strip():
            continue
        arguments = json.loads(line)["arguments"]
        captured = io.StringIO()
        with contextlib.redirect_stderr(captured):
            try:
                code = main(arguments)
            except SystemExit as stop:  # argparse refusing the arguments
                code = stop.code if isinstance(stop.code, int) else 2
        replies.write(json.dumps({"code": code, "stderr": captured.getvalue()}) + "\n")
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
