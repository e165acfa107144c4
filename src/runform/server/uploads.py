"""Uploads: streamed to scratch, hashed, size-limited, checked with PyAV, then accepted.

An upload is the raw request body. :func:`receive_upload` streams it into
``scratch/`` under a temporary name, hashing it (SHA-256) as it goes and
stopping at the size limit; whatever happens (the limit, the client going
away, an error), a partial file is removed. :func:`accept_upload` probes the
file with PyAV (a non-video is refused with the reader's own reason),
refuses a video this athlete already uploaded, dates the session (the
recording's metadata, else the date the athlete gave, else the upload
time), and in one transaction creates the session and its queued job while
the file is renamed to ``uploads/<athlete>/<session>-<name>``. The
scratch file never outlives the call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from runform.compare.progress import parse_creation_time
from runform.errors import RunformError
from runform.server.context import AppContext
from runform.server.database import open_session
from runform.server.files import SCRATCH_PREFIX, make_safe_name, remove_atomically
from runform.server.models import Job, Session, now_utc

__all__ = [
    "ReceivedFile",
    "UploadDetails",
    "UploadRefused",
    "accept_upload",
    "display_name",
    "receive_upload",
]

#: Bytes gathered from the network before they are written and hashed (off the event loop).
WRITE_BLOCK_BYTES = 1 << 20


class UploadRefused(Exception):
    """An upload that is not accepted, with the HTTP status that says why.

    Attributes
    ----------
    status_code
        413 (too large), 422 (not a readable video) or 409 (already uploaded).
    message
        One line for the person uploading.
    hint
        What to do about it, if anything.
    session_id
        The session already holding the same video (409 only).
    """

    def __init__(
        self, status_code: int, message: str, hint: str | None = None, session_id: int | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.hint = hint
        self.session_id = session_id


@dataclass(frozen=True)
class ReceivedFile:
    """An upload streamed into scratch, not yet accepted.

    Attributes
    ----------
    path
        The file in ``scratch/``.
    sha256
        Hex SHA-256 of its bytes.
    size_bytes
        Its size, bytes.
    """

    path: Path
    sha256: str
    size_bytes: int


@dataclass(frozen=True)
class UploadDetails:
    """What came with an upload besides its bytes.

    Attributes
    ----------
    athlete_id
        Whose session it is.
    filename
        The name the client gave (kept for display; stored safely).
    given_date
        The date the athlete says it was filmed, if any.
    drill
        Score it as this in-place drill instead of as running, if given.
    """

    athlete_id: int
    filename: str
    given_date: dt.date | None = None
    drill: str | None = None


#: Characters that reorder how a name is shown (U+202E makes "run<U+202E>gpj.mp4" read as
#: "runmp4.jpg").
_DIRECTION_MARKS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def display_name(filename: str) -> str:
    """Return the name an upload is shown under: its last path component, printable, trimmed.

    A client may send folders (with slashes or backslashes) or control and
    direction characters (NUL, escapes, right-to-left overrides) in the
    name; none is kept (PostgreSQL cannot even store NUL). ``video`` when
    nothing is left.
    """
    base = re.split(r"[/\\]", filename)[-1]
    kept = (c for c in base if unicodedata.category(c) != "Cc" and c not in _DIRECTION_MARKS)
    printable = "".join(kept)
    return printable.strip()[:255] or "video"


def _write_block(stream: BinaryIO, hasher: hashlib._Hash, block: bytes) -> None:
    hasher.update(block)
    stream.write(block)


def _describe_limit(limit_bytes: int) -> str:
    return f"{limit_bytes / 1e6:.0f} MB" if limit_bytes >= 10**6 else f"{limit_bytes} bytes"


def refuse_too_large(limit_bytes: int) -> UploadRefused:
    """Return the error for an upload over ``limit_bytes``."""
    return UploadRefused(413, f"the upload is larger than the server's limit of "
                         f"{_describe_limit(limit_bytes)}",
                         hint="trim the clip to a few strides, or ask the coach "
                         "to raise --max-upload-mb")  # fmt: skip


async def receive_upload(
    chunks: AsyncIterator[bytes], scratch_dir: Path, limit_bytes: int
) -> ReceivedFile:
    """Stream an upload into ``scratch_dir``, hashing it and stopping at the limit.

    Parameters
    ----------
    chunks
        The request body as it arrives (``request.stream()``).
    scratch_dir
        Where the file is written, under a temporary ``rf-upload-*.part`` name.
    limit_bytes
        Largest size accepted, bytes.

    Raises
    ------
    UploadRefused
        413 as soon as more than ``limit_bytes`` arrived.

    Notes
    -----
    On any exception (the limit, the client disconnecting, a full disk, a
    cancellation) the partial file is removed before it propagates.
    """
    scratch_dir.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f"{SCRATCH_PREFIX}upload-", suffix=".part",
                                    dir=scratch_dir)  # fmt: skip
    path = Path(name)
    hasher = hashlib.sha256()
    size = 0
    block = bytearray()
    try:
        with os.fdopen(handle, "wb") as stream:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit_bytes:
                    raise refuse_too_large(limit_bytes)
                block += chunk
                if len(block) >= WRITE_BLOCK_BYTES:
                    await run_in_threadpool(_write_block, stream, hasher, bytes(block))
                    block.clear()
            await run_in_threadpool(_write_block, stream, hasher, bytes(block))
            await run_in_threadpool(os.fsync, stream.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return ReceivedFile(path, hasher.hexdigest(), size)


def _probe(received: ReceivedFile, filename: str) -> dt.date | None:
    """Check the file is a video PyAV reads; return its recording date, if it states one."""
    from runform.io.video import probe_video

    try:
        properties = probe_video(received.path)
    except RunformError as error:
        message = error.message.replace(str(received.path), filename)
        raise UploadRefused(422, message, hint=error.hint) from error
    return parse_creation_time(properties.metadata.get("creation_time"))


def _check_drill(drill: str | None) -> None:
    from runform.checkpoints.rubric import DRILL_NAMES

    if drill is not None and drill not in DRILL_NAMES:
        raise UploadRefused(422, f"unknown drill {drill!r}",
                            hint=f"choose one of: {', '.join(DRILL_NAMES)}")  # fmt: skip


def _refuse_duplicate(existing: Session) -> UploadRefused:
    return UploadRefused(409, f"this video was already uploaded as session {existing.id} "
                         f"({existing.filename}, {existing.uploaded:%Y-%m-%d})",
                         session_id=existing.id)  # fmt: skip


def _find_duplicate(context: AppContext, received: ReceivedFile, athlete_id: int) -> None:
    with open_session(context.sessions) as db:
        existing = db.scalar(
            select(Session).where(
                Session.athlete_id == athlete_id, Session.sha256 == received.sha256
            )
        )
        if existing is not None:
            raise _refuse_duplicate(existing)


def accept_upload(context: AppContext, received: ReceivedFile, details: UploadDetails) -> int:
    """Check an upload and keep it as a new session with a queued analysis job.

    Parameters
    ----------
    context
        The server (settings, database).
    received
        The file :func:`receive_upload` wrote; it is moved or removed here,
        never left in scratch.
    details
        Whose it is, its name, the athlete's date and the drill.

    Returns
    -------
    int
        The new session's id.

    Raises
    ------
    UploadRefused
        422 for a file PyAV cannot read as a video or an unknown drill; 409
        (with ``session_id``) for a video this athlete already uploaded.
    """
    settings = context.settings
    target: Path | None = None
    committed = False
    filename = display_name(details.filename)
    try:
        _check_drill(details.drill)
        recorded = _probe(received, filename)
        _find_duplicate(context, received, details.athlete_id)
        uploaded = now_utc()
        date, source = (
            (recorded, "recording") if recorded is not None
            else (details.given_date, "athlete") if details.given_date is not None
            else (uploaded.date(), "upload")
        )  # fmt: skip
        with open_session(context.sessions) as db:
            session = Session(
                athlete_id=details.athlete_id, filename=filename,
                sha256=received.sha256, size_bytes=received.size_bytes, video_path="",
                result_path="", session_date=date, date_source=source, drill=details.drill,
                uploaded=uploaded,
            )  # fmt: skip
            db.add(session)
            db.flush()
            name = f"{session.id}-{make_safe_name(filename)}"
            session.video_path = f"uploads/{details.athlete_id}/{name}"
            session.result_path = f"results/{details.athlete_id}/{session.id}"
            db.add(Job(session=session, state="queued", created=uploaded))
            db.flush()
            # a results folder left by a row id used before (SQLite reuses freed ids)
            remove_atomically(settings, settings.data_dir / session.result_path)
            target = settings.data_dir / session.video_path
            target.parent.mkdir(parents=True, exist_ok=True)
            received.path.replace(target)
            session_id = session.id
        committed = True
        return session_id
    except IntegrityError:  # the same video accepted by a request running at the same time
        _find_duplicate(context, received, details.athlete_id)
        raise
    finally:
        received.path.unlink(missing_ok=True)
        if target is not None and not committed:
            target.unlink(missing_ok=True)
