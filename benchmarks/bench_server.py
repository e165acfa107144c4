"""The coach server's job queue against ``runform batch`` on the same clips.

    .venv/bin/python benchmarks/bench_server.py --clips 8 --seconds 3 --work /tmp/rf-bench-server

Renders ``--clips`` different synthetic treadmill clips once (kept in
``--work``), then analyses all of them, each run from scratch (a new data
folder, an empty poses cache), with everything written (annotated video
included):

* the server's queue (:class:`runform.server.workers.WorkerPool`, SQLite)
  with ``--workers 1`` and ``2``: every upload queued at once, either when
  the server starts (``cold``: the workers' start-up counts) or into a
  server whose workers are already up (``warm``: what a coach sees);
* ``runform batch UPLOADS -o OUT --jobs 1`` and ``--jobs 2``.

For each: the time until the last clip was analysed (batch then still
writes its overview, progress and comparisons: its whole run is given too)
and the throughput from it (clips per minute), the queue wait of every clip
(from queued to started; batch has no queue rows, so its start is the
finish time in ``batch.json`` minus its seconds, to 1 s), and the peak
resident memory of the analysis processes (the largest one, and all of them
at once), sampled every 0.2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from runform.server.config import ServerSettings
from runform.server.database import create_database_engine, migrate
from runform.server.models import Athlete, Coach, Job, Session
from runform.server.workers import WorkerPool
from runform.synth import PRESETS, write_synthetic_clip


@dataclass(frozen=True)
class Run:
    """What one run measured."""

    name: str
    wall_s: float
    last_s: float
    waits_s: list[float]
    peak_rss: int
    peak_total_rss: int
    failed: int


def render(work: Path, clips: int, seconds: float) -> list[Path]:
    """The clips (rendered once, different seeds so their poses differ)."""
    folder = work / "uploads" / "squad"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(clips):
        path = folder / f"runner{i}.mp4"
        if not path.exists():
            params = PRESETS["treadmill"].with_overrides(duration_s=seconds, width_px=640,
                                                         height_px=360, seed=200 + i)  # fmt: skip
            write_synthetic_clip(params, folder, name=f"runner{i}")
            (folder / f"runner{i}.truth.json").unlink()
        paths.append(path)
    return paths


class Sampler:
    """Peak RSS of some processes (the largest one, and their sum), sampled in a thread."""

    def __init__(self, pids: Callable[[], list[int]]) -> None:
        self._pids, self._stop = pids, threading.Event()
        self.peak, self.peak_total = 0, 0
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            sizes = []
            for pid in self._pids():
                try:
                    sizes.append(psutil.Process(pid).memory_info().rss)
                except psutil.Error:
                    continue
            self.peak = max(self.peak, *sizes, 0)
            self.peak_total = max(self.peak_total, sum(sizes))

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def queue_uploads(data: Path, clips: list[Path], url: str) -> None:
    """Copy the clips into a new data folder and queue one job each, all at the same moment."""
    engine = create_database_engine(url)
    migrate(engine)
    now = dt.datetime.now(dt.UTC)
    with sessionmaker(engine).begin() as db:
        athlete = Athlete(coach=Coach(email="c@example.org", password_hash="x"), name="squad")
        db.add(athlete)
        db.flush()
        for i, clip in enumerate(clips):
            video = f"uploads/{athlete.id}/{i + 1}-{clip.name}"
            (data / video).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(clip, data / video)
            result = f"results/{athlete.id}/{i + 1}"
            session = Session(athlete=athlete, filename=clip.name, sha256=f"{i:064d}",
                              size_bytes=clip.stat().st_size, video_path=video,
                              result_path=result, date_source="upload")  # fmt: skip
            db.add(Job(session=session, state="queued", created=now))
    engine.dispose()


def wait_until_idle(pool: WorkerPool, limit_s: float = 120.0) -> None:
    """Wait until the workers have started (imports, model) and use no CPU."""
    deadline = time.monotonic() + limit_s
    time.sleep(2.0)
    while time.monotonic() < deadline:
        processes = [psutil.Process(pid) for pid in pool.pids]
        for process in processes:
            process.cpu_percent(None)
        time.sleep(1.0)
        if processes and all(process.cpu_percent(None) < 5 for process in processes):
            return


def run_server(clips: list[Path], workers: int, warm: bool) -> Run:
    """All clips through the server's queue; wall time from queueing to the last finish."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        url = f"sqlite:///{data / 'runform.sqlite3'}"
        settings = ServerSettings(data_dir=data, database_url=url, workers=workers)
        engine = create_database_engine(url)
        migrate(engine)
        pool = WorkerPool(settings, poll_s=0.2)
        with Sampler(lambda: pool.pids) as sampler:
            if warm:
                pool.start()
                wait_until_idle(pool)
            start = time.perf_counter()
            queue_uploads(data, clips, url)
            if warm:
                pool.wake()
            else:
                pool.start()
            rows = wait_for_jobs(sessionmaker(engine), len(clips))
            wall = time.perf_counter() - start
            pool.stop()
        engine.dispose()
    waits = [(started - created).total_seconds() for created, started, _state in rows]
    name = f"server --workers {workers}, {'warm' if warm else 'cold'}"
    failed = sum(state != "done" for *_, state in rows)
    return Run(name, wall, wall, waits, sampler.peak, sampler.peak_total, failed)


def wait_for_jobs(sessions: sessionmaker, count: int, limit_s: float = 3600) -> list:
    """Poll until every job has ended; return ``(created, started, state)`` rows."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        with sessions() as db:
            rows = db.execute(select(Job.created, Job.started, Job.state)).all()
        if len(rows) == count and all(state in ("done", "failed") for *_, state in rows):
            return rows
        time.sleep(0.2)
    raise TimeoutError("the jobs did not end")


def run_batch(uploads: Path, jobs: int) -> Run:
    """``runform batch`` on the clips with an empty poses cache."""
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        env = {**os.environ, "RUNFORM_CACHE_DIR": cache}
        command = [sys.executable, "-m", "runform", "batch", str(uploads), "-o", str(out),
                   "--jobs", str(jobs), "--quiet"]  # fmt: skip
        launched = dt.datetime.now(dt.UTC)
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip

        def workers() -> list[int]:
            try:
                tree = psutil.Process(process.pid).children(recursive=True)
            except psutil.Error:
                return []
            return [p.pid for p in tree if "runform.batch.worker" in " ".join(_cmdline(p))]

        with Sampler(workers) as sampler:
            process.wait()
        wall = time.perf_counter() - start
        markers = [json.loads(p.read_text()) for p in out.rglob("batch.json")]
    started = [dt.datetime.fromisoformat(m["finished"]) - dt.timedelta(seconds=m["seconds"])
               for m in markers]  # fmt: skip
    waits = [max(0.0, (when - launched).total_seconds()) for when in started]
    last = max((dt.datetime.fromisoformat(m["finished"]) - launched).total_seconds()
               for m in markers)  # fmt: skip
    failed = sum(m["status"] != "ok" for m in markers)
    return Run(f"batch --jobs {jobs}", wall, last, waits, sampler.peak, sampler.peak_total, failed)


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return list(process.cmdline())
    except psutil.Error:
        return []


def main() -> None:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/rf-bench-server"))
    args = parser.parse_args()
    clips = render(args.work, args.clips, args.seconds)
    cores = len(os.sched_getaffinity(0))
    print(f"{args.clips} clips x {args.seconds:g} s (640x360, 60 fps), {cores} cores, "
          f"annotated video included\n")  # fmt: skip
    runs = []
    for workers in (1, 2):
        runs.append(run_server(clips, workers, warm=False))
        runs.append(run_server(clips, workers, warm=True))
        runs.append(run_batch(args.work / "uploads", workers))
    print("| run | last clip done, s | whole run, s | clips/min | queue wait median s | max s "
          "| peak RSS, largest worker | all workers at once | failed |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        print(f"| {run.name} | {run.last_s:.1f} | {run.wall_s:.1f} "
              f"| {60 * args.clips / run.last_s:.1f} "
              f"| {statistics.median(run.waits_s):.1f} | {max(run.waits_s):.1f} "
              f"| {run.peak_rss / 2**20:.0f} MiB | {run.peak_total_rss / 2**20:.0f} MiB "
              f"| {run.failed} |")  # fmt: skip
    by_name = {run.name: run for run in runs}
    print()
    for workers in (1, 2):
        batch = by_name[f"batch --jobs {workers}"]
        for kind in ("cold", "warm"):
            server = by_name[f"server --workers {workers}, {kind}"]
            print(f"- {workers} at once, server {kind} / batch throughput: "
                  f"{batch.last_s / server.last_s:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
