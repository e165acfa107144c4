"""The API's request and response bodies (they make the OpenAPI document at ``/docs``)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AthleteIn",
    "AthleteOut",
    "AthletePatch",
    "CoachOut",
    "JobOut",
    "LinkOut",
    "LoginIn",
    "LoginOut",
    "NoteIn",
    "NoteOut",
    "NotePatch",
    "SessionOut",
]


class LoginIn(BaseModel):
    """A coach's credentials."""

    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class CoachOut(BaseModel):
    """A coach's account."""

    id: int
    email: str
    name: str


class LoginOut(BaseModel):
    """A login: the coach, the CSRF token for ``X-CSRF-Token`` and when it expires."""

    coach: CoachOut
    csrf_token: str
    expires: dt.datetime | None = None


class AthleteIn(BaseModel):
    """A new athlete."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    height_cm: float | None = Field(default=None, gt=50, lt=260, description="standing height, cm")


class AthletePatch(BaseModel):
    """Changes to an athlete (fields left out stay as they are)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    height_cm: float | None = Field(default=None, gt=50, lt=260, description="standing height, cm")


class AthleteOut(BaseModel):
    """An athlete on the roster."""

    id: int
    name: str
    height_cm: float | None
    created: dt.datetime
    has_link: bool = Field(description="whether a private link is active")
    sessions: int = Field(description="number of uploaded sessions")


class LinkOut(BaseModel):
    """A new private link: the token is shown this once and never stored."""

    token: str
    path: str = Field(description="the API root of the link, /api/a/<token>")


class JobOut(BaseModel):
    """The analysis job of a session."""

    id: int
    state: str = Field(description="queued, running, done, failed or cancelled")
    stage: str = Field(description="pose or video while running")
    frames_done: int
    frames_total: int | None
    attempts: int
    outcome: str = Field(description="ok, no_person, bad_upload, truncated, ... when ended")
    reason: str = Field(description="why it failed, one line")
    warnings: list[str]
    cancel_requested: bool
    created: dt.datetime
    started: dt.datetime | None
    finished: dt.datetime | None


class SessionOut(BaseModel):
    """One uploaded video and the state of its analysis."""

    id: int
    athlete_id: int
    filename: str
    size_bytes: int
    sha256: str
    session_date: dt.date | None
    date_source: str = Field(description="recording, athlete or upload: where the date came from")
    drill: str | None
    uploaded: dt.datetime
    job: JobOut | None


class NoteIn(BaseModel):
    """A coach's note, pinned to a time in the session's video."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=10_000)
    time_s: float | None = Field(default=None, ge=0, le=86_400, description="video time, s")


class NotePatch(BaseModel):
    """Changes to a note (fields left out stay as they are)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, min_length=1, max_length=10_000)
    time_s: float | None = Field(default=None, ge=0, le=86_400, description="video time, s")


class NoteOut(BaseModel):
    """A note on a session."""

    id: int
    session_id: int
    time_s: float | None = Field(description="video time, s (none: the whole session)")
    text: str
    created: dt.datetime
