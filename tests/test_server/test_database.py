"""The schema comes from the migrations, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from runform.server.database import create_database_engine, migrate
from runform.server.models import Base


def test_the_migrations_create_every_table_and_can_run_again(database_url):
    engine = create_database_engine(database_url)
    try:
        migrate(engine)
        migrate(engine)  # at every start: nothing to do the second time
        tables = set(sa.inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables and "alembic_version" in tables
    finally:
        engine.dispose()


def test_deleting_an_athlete_deletes_their_sessions_jobs_and_notes(database_url):
    from sqlalchemy.orm import sessionmaker

    from runform.server.models import Athlete, Coach, Job, Note, Session

    engine = create_database_engine(database_url)
    migrate(engine)
    factory = sessionmaker(engine)
    try:
        with factory.begin() as db:
            coach = Coach(email="c@example.org", password_hash="x")
            athlete = Athlete(coach=coach, name="Ana")
            session = Session(athlete=athlete, filename="a.mp4", sha256="0" * 64, size_bytes=1,
                              video_path="u/a.mp4", result_path="r/1", date_source="upload")  # fmt: skip
            db.add_all([coach, athlete, session, Job(session=session)])
            db.flush()
            db.add(Note(session_id=session.id, coach_id=coach.id, text="hips", time_s=1.5))
        with factory.begin() as db:
            db.execute(sa.delete(Athlete))
        with factory() as db:
            for table in (Session, Job, Note):
                assert db.scalar(sa.select(sa.func.count()).select_from(table)) == 0
            assert db.scalar(sa.select(sa.func.count()).select_from(Coach)) == 1
    finally:
        engine.dispose()
