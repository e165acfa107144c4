"""Batch jobs: find the uploads, name their output folders, and run one in isolation.

A job is one video with what is known about it (athlete, date, drill,
height, setting). It is analysed by the library pipeline in a *separate
process* (:mod:`runform.batch.worker`: a fresh one in :func:`run_job`, a
long-lived one in :mod:`runform.batch.pool`), so a native crash inside the
pose model costs only that video; the process answers with a typed
:class:`~runform.batch.outcome.JobOutcome`. :func:`record_outcome` writes it
to ``batch.json`` inside the job's folder, last: its presence with the same
key (the video's content hash, the settings and the runform version) means
the job is done.

Folder names are stable and collision-free: a name that is already safe
(letters of any script, digits, ``-``, ``_``, ``.``) is kept as it is; one
that had to be changed gets a short hash of the original, so ``ana b`` and
``ana-b`` never share a folder, and ``跑步.mp4`` stays readable.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import glob
import hashlib
import itertools
import json
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runform import __version__
from runform.batch.outcome import JobOutcome
from runform.compare.progress import find_date_in_name
from runform.errors import RunformError
from runform.io.results import save_json, save_text

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mts", ".ts", ".3gp")
MANIFEST_COLUMNS = ("video", "athlete", "date", "drill", "height_cm", "setting")
MARKER = "batch.json"
#: Settings that change how fast a job runs, not its result (not in the reuse key).
SPEED_SETTINGS = frozenset({"pose_workers"})
#: Runs of a job that failed for a reason other than its upload before it is left alone.
MAX_ATTEMPTS = 3
#: Longest folder name made from a user's name, characters (before the hash).
MAX_NAME_LENGTH = 80
#: The file marking a batch's output folder.
BATCH_MARK = ".runform-batch"
#: Files that mark a folder as runform's output (never searched for uploads).
OUTPUT_MARKS = ("analysis.json", "batch.json", "comparison.json", "progress.json", BATCH_MARK)


@dataclass(frozen=True)
class Job:
    """One upload to analyse, and where its results go (relative to the batch output)."""

    video: str
    athlete: str
    date: str
    drill: str | None = None
    height_cm: float | None = None
    setting: str = "auto"
    tag: str = ""

    @property
    def name(self) -> str:
        """The video's file name without its suffix."""
        return Path(self.video).stem

    @property
    def folder(self) -> str:
        """``<athlete>/<date>_<name>`` (path-safe; ``-<tag>`` added when tagged)."""
        name, date = safe_name(self.name), safe_name(self.date)
        session = name if name.startswith(date) else f"{date}_{name}"
        if self.tag:
            session = f"{session}-{self.tag}"
        return f"{safe_name(self.athlete)}/{session}"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return dataclasses.asdict(self)


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:6]


def safe_name(text: str) -> str:
    """Make ``text`` a safe, readable folder name, distinct for distinct texts.

    Letters and digits of any script, ``-``, ``_`` and ``.`` are kept; other
    runs of characters become ``-``. A name changed by that (or empty, or
    too long) gets ``-`` and six hex digits of the original's hash, so two
    texts never give the same name: ``ana b`` → ``ana-b-3d5e2f``, while
    ``ana-b`` and ``跑步`` stay as they are.
    """
    normal = unicodedata.normalize("NFC", text)
    cleaned = re.sub(r"[^\w.-]+", "-", normal).strip("-.")[:MAX_NAME_LENGTH]
    if cleaned and cleaned == normal:
        return cleaned
    return f"{cleaned or 'unnamed'}-{_short_hash(text)}"


def _date_of(path: Path) -> str:
    found = find_date_in_name(path.name)
    return found.isoformat() if found else "undated"


def glob_root(pattern: str) -> Path:
    """Return the folder part of a glob before its first wildcard (``up/**/*.mp4`` → ``up``)."""
    fixed = list(itertools.takewhile(lambda part: not glob.has_magic(part), Path(pattern).parts))
    return Path(*fixed) if fixed else Path()


def is_output_folder(folder: Path) -> bool:
    """Whether ``folder`` was written by runform (an analysis, a job, a batch)."""
    return any((folder / mark).exists() for mark in OUTPUT_MARKS)


def _is_upload(path: Path, root: Path, exclude: Path | None) -> bool:
    """Tell a video upload: not hidden, not inside ``exclude`` or any runform output."""
    if not path.is_file() or path.suffix.lower() not in VIDEO_SUFFIXES:
        return False
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        relative = Path(path.name)
    if any(part.startswith(".") for part in relative.parts):
        return False
    folders = list(path.resolve().parents)[: len(relative.parts) - 1]  # below the root
    if any(is_output_folder(folder) for folder in folders):
        return False
    if exclude is None:
        return True
    try:
        path.resolve().relative_to(exclude.resolve())
    except ValueError:
        return True
    return False


def find_jobs(source: str, exclude: Path | None = None) -> list[Job]:
    """List the jobs of a batch input: a folder (searched recursively), a glob, or a manifest.

    In a folder (or under a glob's fixed part), a video's athlete is its
    first sub-folder (``uploads/ana/run.mp4`` → ``ana``), else ``unknown``;
    its date comes from its file name, else ``undated``. Hidden files and
    folders, and anything inside ``exclude`` (the batch's output), are skipped.

    Raises
    ------
    RunformError
        If nothing matches, or the manifest is malformed.
    """
    path = Path(source)
    if path.is_file() and path.suffix.lower() == ".csv":
        return read_manifest(path)
    if path.is_dir():
        root = path
        files = sorted(p for p in path.rglob("*") if _is_upload(p, root, exclude))
    else:
        root = glob_root(source)
        matches = glob.glob(source, recursive=True)  # noqa: PTH207 (a user's glob string)
        files = sorted(Path(p) for p in matches if _is_upload(Path(p), root, exclude))
    if not files:
        suffixes = ", ".join(VIDEO_SUFFIXES)
        hint = f"give a folder, a glob or a manifest CSV; video suffixes: {suffixes}"
        raise RunformError(f"no video files found in {source}", hint=hint)
    jobs = []
    for file in files:
        try:
            parts = file.resolve().relative_to(root.resolve()).parts
        except ValueError:
            parts = (file.name,)
        athlete = parts[0] if len(parts) > 1 else "unknown"
        jobs.append(Job(str(file.resolve()), athlete, _date_of(file)))
    return tag_duplicates(jobs, root)


def tag_duplicates(jobs: list[Job], root: Path) -> list[Job]:
    """Tag jobs that would share a folder (case-insensitively) with their path's hash.

    Two uploads of one athlete with the same date and name in different
    sub-folders (``ana/week1/run.mp4``, ``ana/week2/run.mp4``) each get
    their own folder, the same on every run.
    """
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job.folder.lower()] = counts.get(job.folder.lower(), 0) + 1
    tagged = []
    for job in jobs:
        if counts[job.folder.lower()] > 1:
            try:
                where = Path(job.video).relative_to(root.resolve()).as_posix()
            except ValueError:
                where = job.video
            job = dataclasses.replace(job, tag=_short_hash(where))
        tagged.append(job)
    return tagged


def read_manifest(path: Path) -> list[Job]:
    """Read jobs from a manifest CSV.

    Columns ``video, athlete, date, drill, height_cm, setting``; only
    ``video`` is required (relative paths are relative to the CSV).
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise RunformError(f"cannot read the manifest {path}: {error}") from None
    if not rows or "video" not in rows[0]:
        raise RunformError(
            f"the manifest {path} needs a 'video' column",
            hint=f"columns: {', '.join(MANIFEST_COLUMNS)}",
        )
    jobs = []
    for line, row in enumerate(rows, start=2):
        video = (row.get("video") or "").strip()
        if not video:
            raise RunformError(f"{path}, line {line}: empty 'video'")
        file = (path.parent / video) if not Path(video).is_absolute() else Path(video)
        height = (row.get("height_cm") or "").strip()
        try:
            height_cm = float(height) if height else None
        except ValueError:
            raise RunformError(
                f"{path}, line {line}: height_cm must be a number, got {height!r}"
            ) from None
        jobs.append(Job(
            video=str(file.resolve()),
            athlete=(row.get("athlete") or "").strip() or "unknown",
            date=_manifest_date(row.get("date"), file, path, line),
            drill=(row.get("drill") or "").strip() or None,
            height_cm=height_cm,
            setting=(row.get("setting") or "").strip() or "auto",
        ))  # fmt: skip
    return tag_duplicates(jobs, path.parent)


def _manifest_date(text: str | None, file: Path, manifest: Path, line: int) -> str:
    """Read a manifest's date as ``YYYY-MM-DD`` (from the column, else the file name)."""
    value = (text or "").strip()
    if not value:
        return _date_of(file)
    found = find_date_in_name(value.replace("/", "-"))
    if found is None:
        raise RunformError(f"{manifest}, line {line}: date must be YYYY-MM-DD, got {value!r}")
    return found.isoformat()


def hash_file(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (``"missing"`` when it cannot be read)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while block := handle.read(chunk):
                digest.update(block)
    except OSError:
        return "missing"
    return digest.hexdigest()


def job_key(job: Job, settings: dict[str, Any]) -> str:
    """Key a result by what makes it reusable: the video's bytes, the job, settings, version."""
    described = {**job.to_dict(), "video": Path(job.video).name}
    content = {"video": hash_file(Path(job.video)), "job": described}
    kept = {k: v for k, v in settings.items() if k not in SPEED_SETTINGS}
    payload = json.dumps({**content, "settings": kept, "runform": __version__}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def read_marker(folder: Path) -> dict[str, Any] | None:
    """Read the ``batch.json`` of a job folder, or ``None``."""
    try:
        data = json.loads((folder / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_done(job: Job, out: Path, key: str) -> bool:
    """Whether the job ran before with the same key and needs no new run.

    A success (with its report there) is done; so is a failure caused by the
    upload itself (not a video, empty, nobody in it: it would fail the same
    way until the file changes, which changes the key). A crash or a
    timeout is run again.
    """
    folder = out / job.folder
    marker = read_marker(folder)
    if not marker or marker.get("key") != key:
        return False
    if marker.get("status") == "ok":
        return (folder / "report.html").is_file()
    return not marker.get("retry", True) or int(marker.get("attempts", 1)) >= MAX_ATTEMPTS


def describe_request(job: Job, folder: Path, settings: dict[str, Any]) -> dict[str, Any]:
    """Build the request a worker process answers (see :mod:`runform.batch.worker`)."""
    return {"job": job.to_dict(), "folder": str(folder), "settings": settings}


def prepare_folder(job: Job, out: str) -> Path:
    """Create the job's folder (stages left by a killed run are removed when it is written)."""
    folder = Path(out) / job.folder
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def record_outcome(
    job: Job, folder: Path, key: str, outcome: JobOutcome, seconds: float
) -> dict[str, Any]:
    """Describe a finished job and write it to ``batch.json`` (last).

    Parameters
    ----------
    outcome
        How the job ended.
    seconds
        Wall time of the job, s.

    Returns
    -------
    dict
        ``{"job", "folder", "status": "ok"|"failed", "outcome", "reason",
        "warnings", "seconds", "key", "retry", "attempts", "finished"}``;
        ``attempts`` counts the runs of this key that failed and may be
        retried (a job is left alone after :data:`MAX_ATTEMPTS`).
    """
    previous = read_marker(folder) or {}
    attempts = int(previous.get("attempts", 0)) + 1 if previous.get("key") == key else 1
    if outcome.status == "failed" and outcome.log:
        save_text(outcome.log, folder / "stderr.log")
    result = {
        "job": job.to_dict(), "folder": job.folder, "status": outcome.status,
        "outcome": outcome.kind, "reason": outcome.reason, "warnings": list(outcome.warnings),
        "seconds": round(seconds, 2), "key": key, "retry": outcome.retry, "attempts": attempts,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }  # fmt: skip
    save_json(result, folder / MARKER)
    return result


def run_job(job: Job, out: str, settings: dict[str, Any], key: str) -> dict[str, Any]:
    """Analyse one video in a fresh worker process and record the outcome.

    Used where no long-lived worker is at hand (Dask tasks): a native crash
    inside the pose model costs only this video, never the Dask worker.
    """
    from runform.batch.pool import Worker

    folder = prepare_folder(job, out)
    start = time.perf_counter()
    worker = Worker({})
    try:
        outcome = worker.run(describe_request(job, folder, settings))
    finally:
        worker.close()
    return record_outcome(job, folder, key, outcome, time.perf_counter() - start)
