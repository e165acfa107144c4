"""Batch jobs: find the uploads, name their output folders, and run one in isolation.

A job is one video with what is known about it (athlete, date, drill,
height, setting). It is analysed in a *separate process* (``runform
analyze``; a fresh one in :func:`run_job`, a long-lived one in
:mod:`runform.batch.pool`), so a native crash inside the pose model costs
only that video. :func:`record_outcome` writes the outcome to ``batch.json``
inside the job's folder, last: its presence with the same key (the video's
content hash, the settings and the runform version) means the job is done.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import glob
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runform import __version__
from runform.compare.progress import find_date_in_name
from runform.errors import RunformError
from runform.io.results import save_json, save_text

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mts", ".ts", ".3gp")
MANIFEST_COLUMNS = ("video", "athlete", "date", "drill", "height_cm", "setting")
MARKER = "batch.json"
#: Exit code of ``runform analyze`` when nobody is found in the video.
NO_PERSON_CODE = 4
#: Settings that change how fast a job runs, not its result (not in the reuse key).
SPEED_SETTINGS = frozenset({"pose_workers"})
#: Longest time one video may take before its process is stopped, seconds.
JOB_TIMEOUT_S = 3600


@dataclass(frozen=True)
class Job:
    """One upload to analyse, and where its results go (relative to the batch output)."""

    video: str
    athlete: str
    date: str
    drill: str | None = None
    height_cm: float | None = None
    setting: str = "auto"

    @property
    def name(self) -> str:
        """The video's file name without its suffix."""
        return Path(self.video).stem

    @property
    def folder(self) -> str:
        """``<athlete>/<date>_<name>`` (path-safe)."""
        name, date = safe_name(self.name), safe_name(self.date)
        session = name if name.startswith(date) else f"{date}_{name}"
        return f"{safe_name(self.athlete)}/{session}"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return dataclasses.asdict(self)


def safe_name(text: str) -> str:
    """Make ``text`` safe as a folder name (letters, digits, ``-``, ``_``, ``.``)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned or "unnamed"


def _date_of(path: Path) -> str:
    found = find_date_in_name(path.name)
    return found.isoformat() if found else "undated"


def glob_root(pattern: str) -> Path:
    """Return the folder part of a glob before its first wildcard (``up/**/*.mp4`` → ``up``)."""
    fixed = list(itertools.takewhile(lambda part: not glob.has_magic(part), Path(pattern).parts))
    return Path(*fixed) if fixed else Path()


def _is_upload(path: Path, root: Path, exclude: Path | None) -> bool:
    """Tell a video upload: not hidden, not inside ``exclude`` (the batch's own output)."""
    if not path.is_file() or path.suffix.lower() not in VIDEO_SUFFIXES:
        return False
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        relative = Path(path.name)
    if any(part.startswith(".") for part in relative.parts):
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
    return jobs


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
    return jobs


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
    return not marker.get("retry", True)


def _last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("runform: error:")]
    if errors:
        return errors[-1].removeprefix("runform: error:").strip()
    return lines[-1] if lines else "no output"


def build_arguments(job: Job, folder: Path, settings: dict[str, Any]) -> list[str]:
    """Build the ``runform analyze`` arguments of a job (without ``python -m runform``).

    ``settings["pose_workers"]`` (default 1) is the number of pose-extraction
    processes the job may use: the batch gives each of its ``--jobs`` slots an
    equal share of the cores, so the slots never oversubscribe them.
    """
    workers = str(settings.get("pose_workers") or 1)
    arguments = ["analyze", job.video, "-o", str(folder), "--quiet", "--workers", workers,
                 "--setting", job.setting]  # fmt: skip
    if job.drill:
        arguments += ["--drill", job.drill]
    height = job.height_cm if job.height_cm is not None else settings.get("height_cm")
    if height is not None:
        arguments += ["--height-cm", str(height)]
    if settings.get("no_video"):
        arguments.append("--no-video")
    if settings.get("rubric"):
        arguments += ["--rubric", str(settings["rubric"])]
    return arguments


def build_command(job: Job, folder: Path, settings: dict[str, Any]) -> list[str]:
    """Build the command line of a job run in a fresh process (one process per job)."""
    return [sys.executable, "-m", "runform", *build_arguments(job, folder, settings)]


#: Environment of every analysis process: one inference thread per process (the batch
#: parallelises over processes), and no Python warnings in the job logs.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}


def prepare_folder(job: Job, out: str) -> Path:
    """Create the job's folder and remove leftovers of a run killed halfway."""
    folder = Path(out) / job.folder
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(".partial-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return folder


def record_outcome(
    job: Job, folder: Path, key: str, code: int | None, stderr: str, seconds: float
) -> dict[str, Any]:
    """Describe a finished job and write it to ``batch.json`` (last).

    Parameters
    ----------
    code
        The analysis's exit status (negative: killed by that signal), or
        ``None`` when it was stopped after :data:`JOB_TIMEOUT_S`.
    stderr
        What the analysis wrote to stderr (kept in ``stderr.log`` on failure).
    seconds
        Wall time of the job, s.

    Returns
    -------
    dict
        ``{"job", "folder", "status": "ok"|"failed", "reason", "seconds", "key",
        "retry", "finished"}``.
    """
    truncated = _truncation_warning(stderr) if code == 0 else None
    if code is None:
        status, reason, retry = "failed", f"took longer than {JOB_TIMEOUT_S} s", True
    elif truncated:  # analysed what could be read, but the upload is cut short
        status, reason, retry = "failed", truncated, False
    else:
        status = "ok" if code == 0 else "failed"
        reason = "" if status == "ok" else _describe_failure(code, stderr)
        retry = status == "failed" and not blames_upload(code, Path(job.video))
    if status == "failed":
        save_text(stderr, folder / "stderr.log")
    result = {
        "job": job.to_dict(), "folder": job.folder, "status": status, "reason": reason,
        "seconds": round(seconds, 2), "key": key, "retry": retry,
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }  # fmt: skip
    save_json(result, folder / MARKER)
    return result


def run_job(job: Job, out: str, settings: dict[str, Any], key: str) -> dict[str, Any]:
    """Analyse one video in a fresh process and record the outcome (:func:`record_outcome`).

    Used where no long-lived worker is at hand (Dask tasks): a native crash
    inside the pose model costs only this video.
    """
    folder = prepare_folder(job, out)
    start = time.perf_counter()
    env = {**os.environ, **WORKER_ENV}
    try:
        done = subprocess.run(build_command(job, folder, settings), capture_output=True, text=True,
                              timeout=JOB_TIMEOUT_S, env=env, check=False)  # fmt: skip
        code: int | None = done.returncode
        stderr = done.stderr
    except subprocess.TimeoutExpired:
        code, stderr = None, ""
    return record_outcome(job, folder, key, code, stderr, time.perf_counter() - start)


#: What ``runform analyze`` warns when a file ends before the frames its header states.
TRUNCATED_MARK = "the file is probably truncated"


def _truncation_warning(stderr: str) -> str | None:
    """Find the truncation warning in an analysis's stderr, without its prefix."""
    for line in stderr.splitlines():
        if TRUNCATED_MARK in line:
            return line.split("runform: warning:", 1)[-1].strip()
    return None


def blames_upload(code: int, video: Path) -> bool:
    """Whether a failed analysis was the upload's fault (so retrying cannot help).

    Nobody in the video (exit 4), or an upload that cannot even be probed or
    decoded as a video. Anything else (a full disk, a permission, an internal error, a
    crash) may pass on another try.
    """
    if code == NO_PERSON_CODE:
        return True
    if code != 2:
        return False
    import warnings

    from runform.io.video import iter_frames, probe_video

    try:
        probe_video(video)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first = next(iter_frames(video, max_side=64), None)
    except (RunformError, OSError):
        return True
    return first is None


def _describe_failure(code: int, stderr: str) -> str:
    if code < 0:
        return f"the analysis process crashed (signal {-code})"
    return _last_error_line(stderr)
