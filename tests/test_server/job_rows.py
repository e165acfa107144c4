"""Rows for the job-queue tests: a coach, an athlete, sessions and their queued jobs.

The tests insert them directly (as the upload route does, one job per
session, in the same transaction), so the queue is tested without the app.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import shutil
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from runform.server.models import Athlete, Coach, Job, Session

#: Numbers the uploads, so that no two share a content hash.
_uploads = itertools.count()


def add_coach_and_athlete(engine: Engine, height_cm: float | None = 175.0) -> int:
    """Add a coach with one athlete; return the athlete's id."""
    with sessionmaker(engine).begin() as db:
        coach = Coach(email=f"coach{id(engine)}@example.org", password_hash="x")
        athlete = Athlete(coach=coach, name="Ana", height_cm=height_cm)
        db.add_all([coach, athlete])
        db.flush()
        return athlete.id


def queue_jobs(
    engine: Engine, athlete_id: int, count: int, data_dir: Path | None = None,
    video: Path | None = None, start: dt.datetime | None = None, name: str = "run.mp4",
) -> list[int]:  # fmt: skip
    """Add ``count`` sessions with a queued job each, created a second apart; return job ids.

    With ``data_dir`` and ``video``, the video is copied to each session's
    upload path (``uploads/<athlete>/<session>-<name>``) as the upload route does.
    """
    start = start or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ids = []
    with sessionmaker(engine).begin() as db:
        for i in range(count):
            digest = hashlib.sha256(f"{name}-{next(_uploads)}".encode()).hexdigest()
            session = Session(
                athlete_id=athlete_id, filename=name, sha256=digest, size_bytes=1,
                video_path="", result_path="", date_source="upload",
            )  # fmt: skip
            db.add(session)
            db.flush()
            session.video_path = f"uploads/{athlete_id}/{session.id}-{name}"
            session.result_path = f"results/{athlete_id}/{session.id}"
            if data_dir is not None and video is not None:
                target = data_dir / session.video_path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(video, target)
            job = Job(session=session, state="queued", created=start + dt.timedelta(seconds=i))
            db.add(job)
            db.flush()
            ids.append(job.id)
    return ids
