"""Long-lived batch workers: reuse, a crash costs one job, time limit, protocol."""

from __future__ import annotations

import io
import json
import sys

from runform.batch import pool as batch_pool
from runform.batch.pool import Worker, WorkerPool
from runform.batch.worker import serve

#: A stand-in worker: replies ok with its pid; "crash" aborts, "sleep" hangs.
FAKE = r"""
import json, os, sys, time
for line in sys.stdin:
    what = json.loads(line)["what"]
    if what == "crash":
        print("native trouble", file=sys.stderr, flush=True)
        os.abort()
    if what == "sleep":
        time.sleep(60)
    print(json.dumps({"outcome": {"kind": "ok", "reason": str(os.getpid())}}), flush=True)
"""


def ask(what):
    return {"what": what}


def test_a_crash_costs_only_its_own_job_and_the_slot_gets_a_fresh_process():
    with WorkerPool(1, command=[sys.executable, "-c", FAKE]) as workers:
        first = workers.run(ask("a"))
        assert first.kind == "ok"
        assert workers.run(ask("b")).reason == first.reason  # the same process, reused
        crashed = workers.run(ask("crash"))
        assert crashed.kind == "crashed" and crashed.retry and "native trouble" in crashed.log
        fresh = workers.run(ask("c"))
        assert fresh.kind == "ok" and fresh.reason != first.reason


def test_a_job_past_the_time_limit_is_stopped():
    worker = Worker({}, [sys.executable, "-c", FAKE])
    try:
        outcome = worker.run(ask("sleep"), timeout_s=0.5)
        assert outcome.kind == "timeout" and outcome.retry
        assert not worker.alive
    finally:
        worker.close()


def test_workers_are_replaced_after_many_jobs(monkeypatch):
    monkeypatch.setattr(batch_pool, "MAX_JOBS_PER_WORKER", 2)
    with WorkerPool(1, command=[sys.executable, "-c", FAKE]) as workers:
        pids = [workers.run(ask(str(i))).reason for i in range(4)]
    assert pids[0] == pids[1] != pids[2] == pids[3]


def request(video, folder, **job):
    return {"job": {"video": str(video), "athlete": "ana", "date": "undated", **job},
            "folder": str(folder), "settings": {"no_video": True}}  # fmt: skip


def test_the_real_worker_reports_typed_outcomes_and_keeps_serving(tmp_path):
    missing = tmp_path / "missing.mp4"
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    with WorkerPool(1) as workers:
        outcome = workers.run(request(missing, tmp_path / "out"))
        assert (
            outcome.kind == "bad_upload" and not outcome.retry and "missing.mp4" in outcome.reason
        )
        outcome = workers.run(request(text, tmp_path / "out"))
        assert outcome.kind == "bad_upload" and not outcome.retry
        outcome = workers.run(request(text, tmp_path / "out", setting="underwater"))
        assert outcome.kind == "internal_error" and "setting" in outcome.reason
        assert workers.run(request(missing, tmp_path / "out")).kind == "bad_upload"


def test_serve_answers_one_line_per_request(tmp_path):
    lines = json.dumps(request(tmp_path / "missing.mp4", tmp_path / "out")) + "\n\nnot json\n"
    replies = io.StringIO()
    assert serve(io.StringIO(lines), replies) == 0
    answers = [json.loads(line)["outcome"] for line in replies.getvalue().splitlines()]
    assert [a["kind"] for a in answers] == ["bad_upload", "internal_error"]
