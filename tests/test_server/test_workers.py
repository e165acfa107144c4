"""The server's workers: jobs run through the pipeline in worker processes, crash and restart.

The fast tests run one job in this process (an upload that is not a video,
no MediaPipe) on SQLite and PostgreSQL. The slow ones start worker
processes on rendered clips. Every wait is bounded and generous, and no
assertion depends on how fast the machine is: where a job must be caught in
the middle, the test holds a lock on its row (SQLite: the database's write
lock) so that it can neither record progress nor finish until released.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import av
import numpy as np
import psutil
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import sessionmaker

from runform.cli import main as runform_main
from runform.server import queue
from runform.server.config import ServerSettings
from runform.server.database import create_database_engine, migrate
from runform.server.job_run import JobStopped, ProgressReporter, run_job
from runform.server.models import Job
from runform.server.workers import WorkerPool
from runform.synth import PRESETS, write_synthetic_clip

from .job_rows import add_coach_and_athlete, queue_jobs

SMALL = {"setting": "treadmill", "duration_s": 2.0, "width_px": 480, "height_px": 270}
#: Bound of every wait for a job's state, s (generous: a 2 s clip takes ~6 s here).
WAIT_S = 300


class Server:
    """A data folder, its database and one athlete, for one test."""

    def __init__(self, data_dir: Path, url: str, workers: int = 1) -> None:
        self.settings = ServerSettings(data_dir=data_dir, database_url=url, workers=workers)
        self.engine = create_database_engine(url)
        migrate(self.engine)
        self.sessions = sessionmaker(self.engine)
        self.athlete = add_coach_and_athlete(self.engine)

    def queue(self, video: Path, count: int = 1, name: str | None = None) -> list[int]:
        return queue_jobs(self.engine, self.athlete, count, self.settings.data_dir, video,
                          name=name or video.name)  # fmt: skip

    def job(self, job_id: int) -> Job:
        with self.sessions() as db:
            job = db.get(Job, job_id)
            assert job is not None
            db.expunge(job)
            return job

    def result_dir(self, job_id: int) -> Path:
        with self.sessions() as db:
            job = db.get(Job, job_id)
            return self.settings.data_dir / job.session.result_path

    def wait_for(self, job_id: int, states: tuple[str, ...], seconds: float = WAIT_S) -> Job:
        return wait_until(lambda: self.job(job_id) if self.job(job_id).state in states else None,
                          seconds, f"job {job_id} to be {' or '.join(states)}")  # fmt: skip

    def wait_until_extracting(self, job_id: int) -> Job:
        """Wait until the job has recorded pose frames (it is in the middle of its work)."""
        return wait_until(lambda: (job := self.job(job_id)).state == "running"
                          and job.frames_done > 0 and job, WAIT_S, f"job {job_id} to run")  # fmt: skip


def wait_until(found, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := found():
            return value
        time.sleep(0.2)
    pytest.fail(f"waited {seconds} s for {what}")


@contextlib.contextmanager
def held_job(url: str, job_id: int):
    """Hold a lock the job's next write waits for (its progress, its end) until the block ends.

    Yields a function running one SQL statement in the lock's own
    transaction, committed when the block ends; returns the job's state.
    """
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")  # the write lock: every other writer waits
        try:
            yield lambda sql: connection.execute(sql).rowcount
        finally:
            connection.execute("COMMIT")
            connection.close()
        return
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection, connection.begin():
            query = text("SELECT id FROM jobs WHERE id = :id FOR UPDATE")
            connection.execute(query, {"id": job_id})
            yield lambda sql: connection.execute(text(sql)).rowcount
    finally:
        engine.dispose()


@contextlib.contextmanager
def caught_mid_job(server: Server, job_id: int):
    """Wait until the job is extracting poses, then hold it there (see :func:`held_job`)."""
    server.wait_until_extracting(job_id)
    with held_job(server.engine.url.render_as_string(hide_password=False), job_id) as run:
        assert server.job(job_id).state == "running", "the job ended before it could be caught"
        yield run


def worker_pid(job: Job) -> int:
    return int(job.worker.rsplit(":", 1)[1])


def is_gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'runform.sqlite3'}"


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """A good clip, one cut short (still playable), one that is not a video, one of nobody."""
    folder = tmp_path_factory.mktemp("uploads")
    good = write_synthetic_clip(PRESETS["treadmill"].with_overrides(**SMALL), folder, name="run")
    cut = folder / "cut.mp4"
    cut.write_bytes(good.video_path.read_bytes()[: good.video_path.stat().st_size // 2])
    notes = folder / "notes.mp4"
    notes.write_text("not a video")
    empty = folder / "empty room.mp4"
    with av.open(str(empty), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for _ in range(30):
            image = np.full((240, 320, 3), 128, np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode(None))
    return {"good": good.video_path, "cut": cut, "notes": notes, "empty": empty}


@pytest.fixture
def not_a_video(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("not a video")
    return path


# ---- fast: one job in this process, on SQLite and PostgreSQL -------------------------------


def test_progress_is_written_at_each_stage_and_at_most_every_interval(
    tmp_path, database_url, not_a_video
):
    server = Server(tmp_path / "data", database_url)
    [job_id] = server.queue(not_a_video)
    with server.sessions() as db:
        lease = queue.claim_next_job(db, "host:1")
    now = [0.0]
    reporter = ProgressReporter(server.sessions, lease, interval_s=0.5, clock=lambda: now[0])
    for frame in range(1, 121):  # 120 frames at 30 frames/s
        now[0] = frame / 30
        reporter("pose", frame, 120)
    assert reporter.writes == 9  # the first frame, every 0.5 s, the last
    reporter("video", 1, 120)
    assert reporter.writes == 10
    job = server.job(job_id)
    assert (job.stage, job.frames_done, job.frames_total) == ("video", 1, 120)
    with server.sessions.begin() as db:
        db.execute(update(Job).where(Job.id == job_id).values(cancel_requested=True))
    now[0] += 1.0
    with pytest.raises(JobStopped) as stopped:
        reporter("video", 40, 120)
    assert stopped.value.directive == "cancel"


def test_a_job_that_is_not_a_video_fails_with_the_reason_the_command_line_gives(
    tmp_path, database_url, not_a_video, capsys
):
    server = Server(tmp_path / "data", database_url)
    [job_id] = server.queue(not_a_video)
    with server.sessions() as db:
        lease = queue.claim_next_job(db, "host:1")
    assert run_job(server.sessions, server.settings.data_dir, lease) == "failed"
    job = server.job(job_id)
    assert (job.outcome, job.attempts, job.worker) == ("bad_upload", 1, "")
    assert runform_main(["analyze", str(not_a_video), "-o", str(tmp_path / "out")]) != 0
    said = capsys.readouterr().err.splitlines()[0].replace(str(not_a_video), "notes.mp4")
    assert said == f"runform: error: {job.reason}"  # named as uploaded, not as stored
    assert str(server.settings.data_dir) not in job.reason
    assert not server.result_dir(job_id).exists()


def test_a_job_whose_files_leave_the_data_folder_is_refused(tmp_path, database_url, not_a_video):
    server = Server(tmp_path / "data", database_url)
    [job_id] = server.queue(not_a_video)
    with server.sessions.begin() as db:
        db.execute(text("UPDATE sessions SET result_path = '../../elsewhere'"))
    with server.sessions() as db:
        lease = queue.claim_next_job(db, "host:1")
    assert run_job(server.sessions, server.settings.data_dir, lease) == "failed"
    assert "not inside the data folder" in server.job(job_id).reason
    assert not (tmp_path / "elsewhere").exists()


# ---- slow: worker processes running MediaPipe ----------------------------------------------


@pytest.mark.slow
def test_broken_uploads_fail_with_the_reasons_of_the_command_line(
    tmp_path, sqlite_url, clips, capfd
):
    server = Server(tmp_path / "data", sqlite_url, workers=2)
    jobs = {kind: server.queue(path)[0] for kind, path in clips.items()}
    pool = WorkerPool(server.settings)
    pool.start()
    try:
        ended = {kind: server.wait_for(job_id, ("done", "failed")) for kind, job_id in jobs.items()}
    finally:
        pool.stop()
    assert (ended["good"].state, ended["good"].outcome) == ("done", "ok")
    assert (server.result_dir(jobs["good"]) / "report.html").is_file()
    assert (ended["notes"].state, ended["notes"].outcome) == ("failed", "bad_upload")
    assert (ended["empty"].state, ended["empty"].outcome) == ("failed", "no_person")
    assert ended["empty"].reason.startswith("no person was detected in any of the 30 frames of")
    assert ended["empty"].reason.endswith("of empty room.mp4")
    # cut short: analysed and reported, but failed (send it again), as batch treats it
    assert (ended["cut"].state, ended["cut"].outcome) == ("failed", "truncated")
    assert ended["cut"].reason.startswith("cut.mp4 ends early")
    assert (server.result_dir(jobs["cut"]) / "report.html").is_file()
    assert all(job.attempts == 1 for job in ended.values())  # no retry of an upload's fault
    for kind in ("notes", "empty", "cut"):
        capfd.readouterr()
        runform_main(["analyze", str(clips[kind]), "-o", str(tmp_path / kind), "--no-video"])
        said = capfd.readouterr().err.replace(str(clips[kind]), clips[kind].name)
        assert ended[kind].reason in said, kind


@pytest.mark.slow
def test_a_cancelled_running_job_stops_and_a_retry_runs_it_again(tmp_path, sqlite_url, clips):
    server = Server(tmp_path / "data", sqlite_url)
    [job_id] = server.queue(clips["good"])
    pool = WorkerPool(server.settings)
    pool.start()
    try:
        with caught_mid_job(server, job_id) as run:  # it can neither go on nor finish now
            pid = worker_pid(server.job(job_id))
            changed = run(f"UPDATE jobs SET cancel_requested = true WHERE id = {job_id} "
                          "AND state = 'running'")  # the cancel route  # fmt: skip
        assert changed == 1
        job = server.wait_for(job_id, ("cancelled", "done", "failed"))
        assert job.state == "cancelled" and not job.cancel_requested
        assert not (server.result_dir(job_id) / "report.html").exists()  # stopped on the way
        with server.sessions.begin() as db:  # the retry route
            db.execute(update(Job).where(Job.id == job_id).values(
                state="queued", outcome="", reason="", cancel_requested=False, worker=""))  # fmt: skip
        pool.wake()
        job = server.wait_for(job_id, ("done", "failed"))
        assert (job.state, job.attempts) == ("done", 2)
        assert pid in pool.pids  # the same process: a cancel costs no restart
    finally:
        pool.stop()
    assert (server.result_dir(job_id) / "report.html").is_file()


@pytest.mark.slow
def test_a_worker_that_crashes_costs_only_its_job_and_is_replaced(tmp_path, sqlite_url, clips):
    server = Server(tmp_path / "data", sqlite_url)
    [job_id] = server.queue(clips["good"])
    pool = WorkerPool(server.settings)
    pool.start()
    try:
        with caught_mid_job(server, job_id):
            pid = worker_pid(server.job(job_id))
            os.kill(pid, signal.SIGKILL)  # a native crash, as far as the pool can tell
        job = server.wait_for(job_id, ("done", "failed"))
        assert (job.state, job.outcome, job.attempts) == ("done", "ok", 2)
        assert pid not in pool.pids and len(pool.pids) == 1
    finally:
        pool.stop()


@pytest.mark.slow
def test_stop_returns_promptly_and_queues_the_running_job_again(tmp_path, sqlite_url, clips):
    server = Server(tmp_path / "data", sqlite_url)
    [job_id] = server.queue(clips["good"])
    pool = WorkerPool(server.settings)
    pool.start()
    with caught_mid_job(server, job_id):
        pid = worker_pid(server.job(job_id))
        stopping = threading.Thread(target=pool.stop)
        stopping.start()
        # idle workers leave, a busy one is stopped after STOP_GRACE_S (1 s)
        wait_until(lambda: is_gone(pid), 30, "the busy worker to be stopped")
    stopping.join(timeout=60)  # then its job is queued again
    assert not stopping.is_alive()
    job = server.job(job_id)
    assert (job.state, job.attempts, job.worker) == ("queued", 0, "")  # as if never claimed


SERVER_SCRIPT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from runform.server.config import ServerSettings
    from runform.server.workers import start_workers
    start_workers(ServerSettings(data_dir=Path(sys.argv[1]), database_url=sys.argv[2], workers=1))
    time.sleep(600)
""")


@pytest.mark.slow
def test_killing_the_server_mid_job_and_starting_again_finishes_it_once(
    tmp_path, database_url, clips
):
    server = Server(tmp_path / "data", database_url)
    [job_id] = server.queue(clips["good"])
    upload = next((server.settings.data_dir / "uploads").rglob("*.mp4"))
    log = (tmp_path / "server.log").open("w")
    killed = subprocess.Popen([sys.executable, "-c", SERVER_SCRIPT, str(server.settings.data_dir),
                               database_url], stdout=log, stderr=log)  # fmt: skip
    pid = None
    try:
        with caught_mid_job(server, job_id):
            pid = worker_pid(server.job(job_id))
            killed.send_signal(signal.SIGKILL)  # the server, as `kill -9` would
            killed.wait(timeout=30)
            wait_until(lambda: is_gone(pid), 60, "the orphaned worker to exit by itself")
        assert server.job(job_id).state == "running"  # what a killed server leaves
        pool = WorkerPool(server.settings)
        pool.start()  # a new server: the job is queued again and run
        try:
            job = server.wait_for(job_id, ("done", "failed"))
        finally:
            pool.stop()
    finally:
        for process in (killed.pid, pid):
            if process is not None and not is_gone(process):
                os.kill(process, signal.SIGKILL)
        log.close()
    assert (job.state, job.outcome, job.attempts) == ("done", "ok", 2)
    with server.sessions() as db:
        assert db.scalar(select(func.count()).select_from(Job)) == 1  # no duplicate
    results = server.settings.data_dir / "results"
    assert [p.relative_to(results) for p in results.glob("*/*")] == [
        server.result_dir(job_id).relative_to(results)
    ]
    folder = server.result_dir(job_id)
    assert (folder / "report.html").is_file() and (folder / "analysis.json").is_file()
    assert not list(folder.glob(".runform-partial-*"))  # the killed attempt's stage is gone
    assert upload.read_bytes() == clips["good"].read_bytes()  # nothing lost


@pytest.mark.slow
def test_twenty_uploads_queued_at_once_all_finish(tmp_path, sqlite_url, clips):
    server = Server(tmp_path / "data", sqlite_url, workers=2)
    jobs = server.queue(clips["good"], count=20)
    pool = WorkerPool(server.settings)
    pool.start()
    try:
        ended = [server.wait_for(job_id, ("done", "failed"), seconds=1200) for job_id in jobs]
    finally:
        pool.stop()
    assert [(job.state, job.attempts) for job in ended] == [("done", 1)] * 20
    assert all((server.result_dir(job_id) / "report.html").is_file() for job_id in jobs)
    assert len({job.finished for job in ended}) == 20


@pytest.mark.slow
def test_the_same_jobs_run_on_a_dask_cluster(tmp_path, sqlite_url, clips):
    from distributed import LocalCluster

    server = Server(tmp_path / "data", sqlite_url)
    good, broken = server.queue(clips["good"])[0], server.queue(clips["notes"])[0]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # fmt: skip
        settings = ServerSettings(data_dir=server.settings.data_dir, database_url=sqlite_url,
                                  workers=1, scheduler=cluster.scheduler_address)  # fmt: skip
        pool = WorkerPool(settings)
        pool.start()
        try:
            done = server.wait_for(good, ("done", "failed"))
            failed = server.wait_for(broken, ("done", "failed"))
        finally:
            pool.stop()
    assert (done.state, done.outcome, done.attempts) == ("done", "ok", 1)
    assert done.frames_total == done.frames_done > 0  # progress recorded from the Dask worker
    assert (server.result_dir(good) / "report.html").is_file()
    assert (failed.state, failed.outcome) == ("failed", "bad_upload")
    assert failed.reason.startswith("expected a video file FFmpeg can read, got notes.mp4")
    shutil.rmtree(server.settings.data_dir / "results", ignore_errors=True)


class _Stuck:
    """Stands for a worker process whose job runs for ever."""

    pid = 4242
    killed = False

    def kill(self):
        self.killed = True


def test_a_job_running_past_the_time_limit_ends_as_timeout(tmp_path, database_url, not_a_video):
    import datetime as dt

    from runform.server import workers

    server = Server(tmp_path / "data", database_url)
    late, recent = server.queue(not_a_video, count=2)
    pool = WorkerPool(server.settings)
    pool._sessions = server.sessions
    stuck, busy = _Stuck(), _Stuck()
    pool._slots = [workers._Slot(0, stuck, "host:1"), workers._Slot(1, busy, "host:2")]
    with server.sessions() as db:
        queue.claim_next_job(db, "host:1")
        queue.claim_next_job(db, "host:2")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=workers.JOB_TIMEOUT_S + 60)
    with server.sessions.begin() as db:
        db.execute(update(Job).where(Job.id == late).values(started=long_ago))
    pool._end_late_jobs()
    job = server.job(late)
    assert (job.state, job.outcome, job.attempts) == ("queued", "timeout", 1)  # tried again
    assert stuck.killed and not busy.killed  # its process is replaced at the next look
    assert server.job(recent).state == "running"


def test_warm_up_loads_the_analysis_libraries_before_the_first_job() -> None:
    """A worker pays the imports at start, not in its first job (checked in a fresh process)."""
    code = textwrap.dedent("""
        import sys
        from runform.server.job_run import warm_up
        class Cache:
            def warm_up(self, *args): pass
        before = "runform.checkpoints.assess" in sys.modules
        warm_up(Cache())
        print(before, "runform.checkpoints.assess" in sys.modules,
              "runform.pipeline.artifacts" in sys.modules, "scipy.signal" in sys.modules,
              "matplotlib.figure" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True", "True", "True"]
