"""An athlete's data as one zip archive: their videos, analyses and notes.

The archive holds ``athlete.json`` (the athlete and every session with its
job), ``notes.json`` (the coach's notes, by session), ``videos/`` (each
upload as it was received) and ``results/<session>/`` (each analysis
folder). It is written to ``scratch/`` under a temporary name; the caller
serves it and removes it. Videos and images are stored as they are (they
do not compress); the rest is deflated.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.encoders import jsonable_encoder

from runform.server.context import AppContext
from runform.server.database import open_session
from runform.server.files import SCRATCH_PREFIX, list_artifacts, make_safe_name
from runform.server.routes.common import (
    Scope,
    describe_athlete,
    describe_note,
    describe_session,
    find_athlete,
    list_note_rows,
    list_session_rows,
)

__all__ = ["AthleteArchive", "write_athlete_archive"]

#: Already compressed: stored as they are.
_STORED_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm", ".png", ".jpg", ".jpeg", ".nc"})


@dataclass(frozen=True)
class AthleteArchive:
    """A written archive: the file (in scratch) and the name to download it as."""

    path: Path
    download_name: str


def _add_file(archive: zipfile.ZipFile, source: Path, name: str) -> None:
    stored = source.suffix.lower() in _STORED_SUFFIXES
    archive.write(source, name, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)


def _add_json(archive: zipfile.ZipFile, data: Any, name: str) -> None:
    archive.writestr(name, json.dumps(jsonable_encoder(data), indent=2), zipfile.ZIP_DEFLATED)


def write_athlete_archive(context: AppContext, scope: Scope, athlete_id: int) -> AthleteArchive:
    """Write everything kept about an athlete into one zip file in scratch.

    Raises
    ------
    fastapi.HTTPException
        404 when the athlete is outside the scope.
    """
    data_dir = context.settings.data_dir
    with open_session(context.sessions) as db:
        athlete = find_athlete(db, scope, athlete_id)
        sessions = list_session_rows(db, athlete.id)
        profile = {"athlete": describe_athlete(db, athlete),
                   "sessions": [describe_session(s) for s in sessions]}  # fmt: skip
        notes = {str(s.id): [describe_note(n) for n in list_note_rows(db, s.id)]
                 for s in sessions}  # fmt: skip
        files = [(data_dir / s.video_path, f"videos/{Path(s.video_path).name}") for s in sessions]
        for s in sessions:
            folder = data_dir / s.result_path
            files += [(folder / r, f"results/{s.id}/{r}") for r in list_artifacts(folder)]
        name = make_safe_name(f"{athlete.name}-runform-export") + ".zip"
    scratch = context.settings.scratch_dir
    scratch.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f"{SCRATCH_PREFIX}export-", suffix=".zip",
                                         dir=scratch)  # fmt: skip
    os.close(handle)
    path = Path(temporary)
    try:
        with zipfile.ZipFile(path, "w") as archive:
            _add_json(archive, profile, "athlete.json")
            _add_json(archive, notes, "notes.json")
            for source, arcname in files:
                if source.is_file():  # a file removed meanwhile (a retried analysis) is left out
                    _add_file(archive, source, arcname)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return AthleteArchive(path, name)
