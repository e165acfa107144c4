"""The API's request and response bodies (they make the OpenAPI document at ``/docs``).

Request bodies refuse what the database or the error answer cannot hold:
JSON's ``NaN`` and ``Infinity`` (Python's ``json`` reads them; a refusal
quoting them could not be written back as JSON) and control characters in
names, addresses and notes (PostgreSQL cannot store NUL in text).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

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
    "RequestBody",
    "SessionOut",
]


class _NotFinite(str):
    """A request body's ``NaN`` or infinity, as text marked (see :class:`RequestBody`)."""


def _mark_not_finite(value: Any) -> Any:
    """Replace ``NaN`` and infinities, at any depth, by :class:`_NotFinite` text."""
    if isinstance(value, float) and not math.isfinite(value):
        return _NotFinite(value)
    if isinstance(value, dict):
        return {key: _mark_not_finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mark_not_finite(item) for item in value]
    return value


def _find_not_finite(value: Any, where: str = "") -> str | None:
    """Return where (``height_cm``, ``text[0]``) the first marked value is, else ``None``."""
    if isinstance(value, _NotFinite):
        return where or "the body"
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()  # fmt: skip
    for key, item in items:
        place = f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}" if where else key
        if (found := _find_not_finite(item, place)) is not None:
            return found
    return None


def _control_characters(allowed: str) -> AfterValidator:
    def check(text: str) -> str:
        found = next((c for c in text if unicodedata.category(c) == "Cc" and c not in allowed),
                     None)  # fmt: skip
        if found is not None:
            raise ValueError(f"must not contain control characters (found U+{ord(found):04X})")
        return text

    return AfterValidator(check)


#: One line of text: a name or an address.
Line = Annotated[str, _control_characters(allowed="")]
#: Text that may have line breaks and tabs: a note.
Paragraphs = Annotated[str, _control_characters(allowed="\n\r\t")]


class RequestBody(BaseModel):
    """A request body: ``NaN`` and ``Infinity`` are refused (422), never stored.

    Python's ``json`` reads them, but a refusal quoting them could not be
    written back as JSON (a 500). Pydantic runs "before" validators last
    defined first: the second one here marks them as text, the first refuses
    the marked body, so the refusal quotes text.
    """

    @model_validator(mode="before")
    @classmethod
    def _refuse_not_finite(cls, data: Any) -> Any:
        found = _find_not_finite(data)
        if found is not None:
            raise ValueError(f"{found}: NaN and Infinity are not accepted; send a finite number")
        return data

    @model_validator(mode="before")
    @classmethod
    def _mark_not_finite(cls, data: Any) -> Any:
        return _mark_not_finite(data)


class LoginIn(RequestBody):
    """A coach's credentials."""

    email: Line = Field(max_length=320)
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


class AthleteIn(RequestBody):
    """A new athlete."""

    model_config = ConfigDict(extra="forbid")

    name: Line = Field(min_length=1, max_length=200)
    height_cm: float | None = Field(default=None, gt=50, lt=260, allow_inf_nan=False,
                                    description="standing height, cm")  # fmt: skip


class AthletePatch(RequestBody):
    """Changes to an athlete (fields left out stay as they are)."""

    model_config = ConfigDict(extra="forbid")

    name: Line | None = Field(default=None, min_length=1, max_length=200)
    height_cm: float | None = Field(default=None, gt=50, lt=260, allow_inf_nan=False,
                                    description="standing height, cm")  # fmt: skip


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


class NoteIn(RequestBody):
    """A coach's note, pinned to a time in the session's video."""

    model_config = ConfigDict(extra="forbid")

    text: Paragraphs = Field(min_length=1, max_length=10_000)
    time_s: float | None = Field(default=None, ge=0, le=86_400, allow_inf_nan=False,
                                 description="video time, s")  # fmt: skip


class NotePatch(RequestBody):
    """Changes to a note (fields left out stay as they are)."""

    model_config = ConfigDict(extra="forbid")

    text: Paragraphs | None = Field(default=None, min_length=1, max_length=10_000)
    time_s: float | None = Field(default=None, ge=0, le=86_400, allow_inf_nan=False,
                                 description="video time, s")  # fmt: skip


class NoteOut(BaseModel):
    """A note on a session."""

    id: int
    session_id: int
    time_s: float | None = Field(description="video time, s (none: the whole session)")
    text: str
    created: dt.datetime
