"""Long-lived batch workers: reuse, a crash costs one job, time limit, protocol."""

from __future__ import annotations

import io
import json
import sys

from runform.batch import pool as batch_pool
from runform.batch.pool import Worker, WorkerPool
from runform.batch.worker import serve

#: A stand-in worker: replies with its pid; "crash" aborts, "sleep" hangs.
FAKE = r"""
import json, os, sys, time
for line in sys.stdin:
    args = json.loads(line)["arguments"]
    if args == ["crash"]:
        print("native trouble", file=sys.stderr, flush=True)
        os.abort()
    if args == ["sleep"]:
        time.sleep(60)
    print(json.dumps({"code": 0, "stderr": str(os.getpid())}), flush=True)
"""


def test_a_crash_costs_only_its_own_job_and_the_slot_gets_a_fresh_process():
    with WorkerPool(1, command=[sys.executable, "-c", FAKE]) as workers:
        code, first = workers.run(["a"])
        assert code == 0
        assert workers.run(["b"]) == (0, first)  # the same process, reused
        code, stderr = workers.run(["crash"])
        assert code is not None and code < 0 and "native trouble" in stderr
        code, fresh = workers.run(["c"])
        assert code == 0 and fresh != first


def test_a_job_past_the_time_limit_is_stopped():
    worker = Worker({}, [sys.executable, "-c", FAKE])
    try:
        assert worker.run(["sleep"], timeout_s=0.5) == (None, "")
        assert not worker.alive
    finally:
        worker.close()


def test_workers_are_replaced_after_many_jobs(monkeypatch):
    monkeypatch.setattr(batch_pool, "MAX_JOBS_PER_WORKER", 2)
    with WorkerPool(1, command=[sys.executable, "-c", FAKE]) as workers:
        pids = [workers.run([str(i)])[1] for i in range(4)]
    assert pids[0] == pids[1] != pids[2] == pids[3]


def test_the_real_worker_reports_errors_and_keeps_serving(tmp_path):
    missing = str(tmp_path / "missing.mp4")
    with WorkerPool(1) as workers:
        code, stderr = workers.run(["analyze", missing, "-o", str(tmp_path / "out")])
        assert code == 2 and "runform: error" in stderr and "missing.mp4" in stderr
        code, stderr = workers.run(["analyze", "--no-such-option"])
        assert code == 2 and "arguments are required" in stderr
        code, _ = workers.run(["analyze", missing, "-o", str(tmp_path / "out")])
        assert code == 2


def test_serve_answers_one_line_per_request():
    requests = io.StringIO(json.dumps({"arguments": ["analyze", "--bad"]}) + "\n\n")
    replies = io.StringIO()
    assert serve(requests, replies) == 0
    lines = replies.getvalue().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["code"] == 2
