"""The coach server's database schema (SQLAlchemy 2, typed declarative mapping).

Coaches have accounts; each coach has a roster of athletes; an athlete
reaches their own sessions through a private link whose token is stored
only as a hash. A session is one uploaded video; its analysis is one job in
a durable queue. Coaches pin notes to a time in a session's video. Deleting
an athlete deletes their sessions, jobs and notes (``ON DELETE CASCADE``);
their files are removed by the server.

The schema is created and changed only through Alembic migrations
(:mod:`runform.server.migrations`), never by ``create_all``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "JOB_STATES",
    "Athlete",
    "AuthSession",
    "Base",
    "Coach",
    "Job",
    "LoginAttempt",
    "Note",
    "Session",
    "now_utc",
]

#: States of an analysis job. ``queued`` → ``running`` → ``done`` | ``failed``;
#: ``cancelled`` by the coach; a ``running`` job found at start-up is requeued.
JOB_STATES = ("queued", "running", "done", "failed", "cancelled")


def now_utc() -> dt.datetime:
    """Return the current time, UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Base of every table."""


class Coach(Base):
    """A coach's account."""

    __tablename__ = "coaches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    athletes: Mapped[list[Athlete]] = relationship(
        back_populates="coach", cascade="all, delete-orphan", passive_deletes=True
    )


class Athlete(Base):
    """An athlete on a coach's roster, with their private upload link."""

    __tablename__ = "athletes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coaches.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    height_cm: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: SHA-256 of the link's token (the token itself is shown once, never stored).
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    #: The session follow-ups are judged against, chosen by the coach; ``None``
    #: (or a session since deleted): the earliest analysed one. A plain id, not
    #: a foreign key, so that athletes and sessions do not reference each other.
    baseline_session_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    coach: Mapped[Coach] = relationship(back_populates="athletes")
    sessions: Mapped[list[Session]] = relationship(
        back_populates="athlete", cascade="all, delete-orphan", passive_deletes=True
    )


class Session(Base):
    """One uploaded video of an athlete, and where its analysis is."""

    __tablename__ = "sessions"
    __table_args__ = (UniqueConstraint("athlete_id", "sha256", name="uq_session_video"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(
        ForeignKey("athletes.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    #: Path of the video relative to the data folder.
    video_path: Mapped[str] = mapped_column(String(500))
    #: Path of the analysis folder relative to the data folder.
    result_path: Mapped[str] = mapped_column(String(500))
    session_date: Mapped[dt.date | None] = mapped_column(nullable=True)
    #: Where the date came from: ``recording``, ``athlete`` or ``upload``.
    date_source: Mapped[str] = mapped_column(String(20))
    drill: Mapped[str | None] = mapped_column(String(40), nullable=True)
    uploaded: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    #: A small JSON digest of ``analysis.json`` (focus, checkpoints, metrics,
    #: capture) for the pages' lists; filled when first needed
    #: (:func:`runform.server.web.digest.read_digest`).
    digest: Mapped[str | None] = mapped_column(Text, nullable=True)

    athlete: Mapped[Athlete] = relationship(back_populates="sessions")
    job: Mapped[Job | None] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True
    )
    notes: Mapped[list[Note]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True
    )


class Job(Base):
    """The analysis of one session: a row in the durable queue."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_created", "state", "created"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(20), default="queued")
    #: ``pose`` or ``video`` while running.
    stage: Mapped[str] = mapped_column(String(20), default="")
    frames_done: Mapped[int] = mapped_column(Integer, default=0)
    frames_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The typed outcome (see :class:`runform.batch.outcome.JobOutcome`).
    outcome: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    warnings: Mapped[str] = mapped_column(Text, default="")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Which worker holds it (host:pid), while running.
    worker: Mapped[str] = mapped_column(String(100), default="")
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    started: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    session: Mapped[Session] = relationship(back_populates="job")


class Note(Base):
    """A coach's note on a session, pinned to a time in its video."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    coach_id: Mapped[int] = mapped_column(ForeignKey("coaches.id", ondelete="CASCADE"))
    #: Time in the video the note is pinned to, s (``None``: the whole session).
    time_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)

    session: Mapped[Session] = relationship(back_populates="notes")


class AuthSession(Base):
    """A coach's login: the cookie's token, stored as a hash, and its CSRF token."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coaches.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
    expires: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """A failed login, kept for throttling (by account and by client address)."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ``email:<address>`` or ``ip:<address>``.
    key: Mapped[str] = mapped_column(String(400))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_utc)
