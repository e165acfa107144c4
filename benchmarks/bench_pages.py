"""How fast the coach's busiest pages render with a full roster.

    .venv/bin/python benchmarks/bench_pages.py --athletes 100 --sessions 2000 --repeat 30

Seeds a fresh SQLite database (in ``--work``, default a temporary folder)
with one coach, ``--athletes`` athletes and ``--sessions`` analysed
sessions spread evenly over them, each with a finished job and the digest
of a real ``analysis.json`` (the synthetic overstrider's or the good
runner's, alternately, from their exact poses: no pose model), with one
coach's baseline chosen every fifth athlete. Then asks for the roster
(``/roster``) and an athlete's page (``/athletes/{id}``, with the progress
report already written, as after a first visit) through the app in
process (Starlette's test client: routing, database, templates and HTTP
encoding, no network), ``--repeat`` times each after one warm-up, and
prints the median and the 95th percentile, ms. Digests are filled the
first time a page needs them; the seeding stores them as a worker's first
page view would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from runform.server.app import create_app
from runform.server.auth import create_coach
from runform.server.config import ServerSettings
from runform.server.database import open_session
from runform.server.models import Athlete, Job, Session
from runform.server.web.digest import summarise_analysis

PASSWORD = "bench password 1"


def make_analyses(root: Path) -> list[Path]:
    """Two real analysis folders from the synthetic runner's exact poses."""
    from runform.cli import main
    from runform.io.poses import save_poses
    from runform.synth import PRESETS, compute_truth
    from runform.synth.truth_poses import create_truth_poses

    folders = []
    for name in ("overstrider", "pose_runner"):
        out = root / name
        if not (out / "analysis.json").is_file():
            poses = root / f"{name}.nc"
            save_poses(create_truth_poses(compute_truth(PRESETS[name])), poses)
            if main(["analyze", str(poses), "-o", str(out), "--height-cm", "175", "--quiet"]):
                raise SystemExit(f"could not analyse the {name} poses")
        folders.append(out)
    return folders


def seed(settings: ServerSettings, factory: sessionmaker, analyses: list[Path],
         athletes: int, sessions: int) -> int:  # fmt: skip
    """Fill the database; return the id of an athlete in the middle of the roster."""
    docs = [json.loads((f / "analysis.json").read_text()) for f in analyses]
    digests = [json.dumps(summarise_analysis(d)) for d in docs]
    start = dt.date(2025, 1, 1)
    with open_session(factory) as db:
        coach = create_coach(db, "coach@example.org", PASSWORD, "Coach")
        rows = [Athlete(coach_id=coach.id, name=f"Athlete {i:03d}", height_cm=175.0)
                for i in range(athletes)]  # fmt: skip
        db.add_all(rows)
        db.flush()
        for k in range(sessions):
            athlete = rows[k % athletes]
            n = k // athletes
            folder = f"athletes/{athlete.id}/sessions/{k}"
            session = Session(
                athlete_id=athlete.id,
                filename=f"run{n:02d}.mp4",
                sha256=f"{k:064x}",
                size_bytes=1000,
                video_path=f"{folder}/v.mp4",
                result_path=f"{folder}/result",
                session_date=start + dt.timedelta(days=7 * n),
                date_source="upload",
                digest=digests[(n + athlete.id) % 2],
            )
            session.job = Job(state="done", outcome="ok", attempts=1)
            db.add(session)
        db.flush()
        for i, athlete in enumerate(rows):
            if i % 5 == 0 and athlete.sessions:
                athlete.baseline_session_id = athlete.sessions[1].id
        middle = rows[athletes // 2].id
    with open_session(factory) as db:
        import shutil

        for session in db.query(Session).filter(Session.athlete_id == middle):
            target = settings.data_dir / session.result_path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(analyses[int(session.sha256, 16) % 2], target)
    return middle


def time_page(client: TestClient, url: str, repeat: int) -> list[float]:
    """Milliseconds of each of ``repeat`` requests (after one warm-up)."""
    answer = client.get(url)
    if answer.status_code != 200:
        raise SystemExit(f"{url}: HTTP {answer.status_code}: {answer.text[:300]}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append(1000 * (time.perf_counter() - started))
    return times


def main() -> None:
    """Seed, render, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--athletes", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="rf-bench-pages-"))
    analyses = make_analyses(work / "analyses")
    data = work / f"data-{time.time_ns()}"
    settings = ServerSettings(data_dir=data)
    app = create_app(settings, start_workers=False)
    context = app.state.context
    middle = seed(settings, context.sessions, analyses, args.athletes, args.sessions)
    client = TestClient(app)
    login = client.post("/api/login", json={"email": "coach@example.org", "password": PASSWORD})
    assert login.status_code == 200, login.text
    print(f"{args.athletes} athletes, {args.sessions} sessions (SQLite, {data})")
    for name, url in (("roster", "/roster"), ("athlete", f"/athletes/{middle}")):
        times = time_page(client, url, args.repeat)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{name:8s} {url:18s} median {statistics.median(times):7.1f} ms   "
              f"p95 {p95:7.1f} ms   ({args.repeat} requests)")  # fmt: skip
    context.engine.dispose()


if __name__ == "__main__":
    main()
