"""The durable job queue on SQLite and PostgreSQL: claims, progress, endings, restarts."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from runform.batch.outcome import JobOutcome
from runform.server import queue
from runform.server.database import create_database_engine, migrate
from runform.server.models import Job

from .job_rows import add_coach_and_athlete, queue_jobs


@pytest.fixture
def engine(database_url):
    engine = create_database_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine):
    return sessionmaker(engine)


@pytest.fixture
def athlete(engine):
    return add_coach_and_athlete(engine)


def read_job(factory, job_id):
    with factory() as db:
        job = db.get(Job, job_id)
        db.expunge(job)
        return job


def claim(factory, worker="host:1"):
    with factory() as db:
        return queue.claim_next_job(db, worker)


def test_the_oldest_queued_job_is_claimed_first_and_then_none(engine, factory, athlete):
    first, second = queue_jobs(engine, athlete, 2)
    lease = claim(factory)
    assert lease == queue.Lease(first, "host:1", 1)
    job = read_job(factory, first)
    assert job.state == "running" and job.worker == "host:1" and job.attempts == 1
    assert job.started is not None and job.frames_done == 0
    assert claim(factory, "host:2").job_id == second
    assert claim(factory, "host:3") is None


def test_two_claimers_never_take_the_same_job(database_url, engine, athlete):
    jobs = queue_jobs(engine, athlete, 24)
    claimers = 4
    barrier = threading.Barrier(claimers)
    taken: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        own = create_database_engine(database_url)  # one engine per claimer, as per process
        mine = taken.setdefault(name, [])
        try:
            barrier.wait(timeout=60)
            with sessionmaker(own)() as db:
                for _ in range(len(jobs) + 1):  # bounded: never more claims than jobs
                    lease = queue.claim_next_job(db, name)
                    if lease is None:
                        break
                    mine.append(lease.job_id)
        except BaseException as error:
            errors.append(error)
        finally:
            own.dispose()

    threads = [threading.Thread(target=work, args=(f"host:{i}",)) for i in range(claimers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and not any(thread.is_alive() for thread in threads)
    claimed = [job for mine in taken.values() for job in mine]
    assert sorted(claimed) == sorted(jobs)  # every job once, none twice
    with sessionmaker(engine)() as db:
        rows = db.execute(select(Job.id, Job.worker, Job.attempts, Job.state)).all()
    owner = {job: name for name, mine in taken.items() for job in mine}
    assert all(worker == owner[i] and attempts == 1 and state == "running"
               for i, worker, attempts, state in rows)  # fmt: skip


def test_progress_goes_on_until_the_coach_cancels(engine, factory, athlete):
    [job_id] = queue_jobs(engine, athlete, 1)
    lease = claim(factory)
    with factory() as db:
        assert queue.record_progress(db, lease, "pose", 30, 120) == "continue"
    job = read_job(factory, job_id)
    assert (job.stage, job.frames_done, job.frames_total) == ("pose", 30, 120)
    with factory.begin() as db:  # the cancel route
        db.execute(update(Job).where(Job.id == job_id, Job.state == "running")
                   .values(cancel_requested=True))  # fmt: skip
    with factory() as db:
        assert queue.record_progress(db, lease, "pose", 60, 120) == "cancel"
        assert queue.stop_cancelled_job(db, lease)
    job = read_job(factory, job_id)
    assert job.state == "cancelled" and not job.cancel_requested and job.finished is not None
    with factory() as db:  # the lease is spent: nothing more can be written with it
        assert queue.record_progress(db, lease, "pose", 90, 120) == "lost"
        assert queue.finish_job(db, lease, JobOutcome("ok")) is None
    assert read_job(factory, job_id).state == "cancelled"


def test_a_success_is_done_and_an_upload_fault_fails_with_its_reason(engine, factory, athlete):
    good, bad = queue_jobs(engine, athlete, 2)
    with factory() as db:
        assert (
            queue.finish_job(db, claim(factory), JobOutcome("ok", warnings=("w1", "w2"))) == "done"
        )
        nobody = JobOutcome("no_person", "no person was detected in any of the 30 frames of a.mp4")
        assert queue.finish_job(db, claim(factory), nobody) == "failed"
    done, failed = read_job(factory, good), read_job(factory, bad)
    assert (done.state, done.outcome, done.warnings, done.worker) == ("done", "ok", "w1\nw2", "")
    assert done.finished is not None
    assert (failed.state, failed.outcome, failed.reason) == ("failed", "no_person", nobody.reason)


def test_a_retryable_failure_is_queued_again_until_the_attempts_run_out(engine, factory, athlete):
    [job_id] = queue_jobs(engine, athlete, 1)
    crash = JobOutcome("crashed", "the analysis process crashed (signal 11)", retry=True)
    states = []
    for _ in range(queue.MAX_ATTEMPTS + 1):  # bounded
        lease = claim(factory)
        if lease is None:
            break
        with factory() as db:
            states.append(queue.finish_job(db, lease, crash))
    assert states == ["queued"] * (queue.MAX_ATTEMPTS - 1) + ["failed"]
    job = read_job(factory, job_id)
    assert (job.state, job.outcome, job.attempts) == ("failed", "crashed", queue.MAX_ATTEMPTS)


def test_a_coachs_retry_queues_a_failed_job_for_one_more_attempt(engine, factory, athlete):
    [job_id] = queue_jobs(engine, athlete, 1)
    with factory() as db:
        queue.finish_job(db, claim(factory), JobOutcome("bad_upload", "not a video"))
    with factory.begin() as db:  # the retry route
        db.execute(update(Job).where(Job.id == job_id, Job.state.in_(("failed", "cancelled")))
                   .values(state="queued", outcome="", reason="", warnings="", stage="",
                           cancel_requested=False, frames_done=0, frames_total=None, worker="",
                           started=None, finished=None))  # fmt: skip
    lease = claim(factory)
    assert lease.job_id == job_id and lease.attempt == 2
    with factory() as db:
        assert queue.finish_job(db, lease, JobOutcome("ok")) == "done"


def test_a_cancel_requested_while_finishing_wins(engine, factory, athlete):
    [job_id] = queue_jobs(engine, athlete, 1)
    lease = claim(factory)
    with factory.begin() as db:
        db.execute(update(Job).where(Job.id == job_id).values(cancel_requested=True))
    with factory() as db:
        assert queue.finish_job(db, lease, JobOutcome("ok")) == "cancelled"


def test_start_up_requeues_running_jobs_and_their_old_workers_lose_them(engine, factory, athlete):
    running, cancelling, worn, waiting, done = queue_jobs(engine, athlete, 5)
    leases = {
        job: claim(factory, f"old:{job}") for job in (running, cancelling, worn, waiting, done)
    }
    with factory() as db:
        queue.finish_job(db, leases[done], JobOutcome("ok"))
        queue.release_held_jobs(db, [f"old:{waiting}"])  # back in the queue
    with factory.begin() as db:
        db.execute(update(Job).where(Job.id == cancelling).values(cancel_requested=True))
        db.execute(update(Job).where(Job.id == worn).values(attempts=queue.MAX_ATTEMPTS))
    with factory() as db:
        recovery = queue.requeue_interrupted_jobs(db)
    assert recovery == queue.Recovery(requeued=1, cancelled=1, failed=1)
    states = {job: read_job(factory, job) for job in leases}
    assert states[running].state == "queued" and states[running].worker == ""
    assert states[running].attempts == 1 and states[running].frames_done == 0
    assert states[cancelling].state == "cancelled"
    assert (states[worn].state, states[worn].outcome) == ("failed", "crashed")
    assert "stopped during this analysis" in states[worn].reason
    assert states[waiting].state == "queued" and states[waiting].attempts == 0
    assert states[done].state == "done"
    with factory() as db:  # a worker of the killed server that still ran cannot write
        assert queue.record_progress(db, leases[running], "pose", 1, 2) == "lost"
        assert queue.finish_job(db, leases[running], JobOutcome("ok")) is None
    again = claim(factory, "new:1")
    assert again.attempt == 2  # the killed attempt counts
    assert {again.job_id, claim(factory, "new:2").job_id} == {running, waiting}


def test_a_dead_workers_job_is_failed_as_crashed_and_queued_again(engine, factory, athlete):
    [job_id] = queue_jobs(engine, athlete, 1)
    claim(factory, "host:7")
    crash = JobOutcome("crashed", "the analysis process crashed (signal 9)", retry=True)
    with factory() as db:
        assert queue.fail_held_jobs(db, "host:7", crash) == ["queued"]
        assert queue.fail_held_jobs(db, "host:7", crash) == []
    job = read_job(factory, job_id)
    assert (job.state, job.outcome, job.reason) == ("queued", "crashed", crash.reason)


def test_the_spec_of_a_held_job_names_its_files_and_athlete(engine, factory, athlete):
    queue_jobs(engine, athlete, 1, name="morning run.mp4")
    lease = claim(factory)
    with factory() as db:
        spec = queue.read_job_spec(db, lease)
    assert spec is not None and spec.lease == lease and spec.height_cm == 175.0
    assert spec.filename == "morning run.mp4" and spec.drill is None
    assert spec.video_path.as_posix().startswith(f"uploads/{athlete}/")
    with factory() as db:
        queue.release_held_jobs(db, [lease.worker])
        assert queue.read_job_spec(db, lease) is None
