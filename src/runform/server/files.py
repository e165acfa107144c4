"""The server's data folder: safe paths inside it, atomic writes and crash-safe removal.

Everything the server keeps on disk lives in the data folder, addressed in
the database by paths relative to it, so copying the folder is a backup:

- ``uploads/<athlete>/<session>-<name>``: the uploaded videos;
- ``results/<athlete>/<session>/``: each session's analysis;
- ``cache/<athlete>/``: comparisons and progress, rebuilt on demand;
- ``scratch/``: uploads and exports being written (emptied at start-up);
- ``trash/``: folders being removed (see :func:`move_aside`).

Files are served only through :func:`resolve_inside`, which refuses any
path that leaves its folder. Removing an athlete's or a session's files
first renames them into ``trash/`` beside a manifest naming the database
row they belong to, then the row is deleted, then the trash entry is
removed: a crash at any step is finished or undone at the next start
(:func:`recover_trash`), so no athlete is ever left with half their files.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runform.server.config import ServerSettings

__all__ = [
    "SCRATCH_PREFIX",
    "TrashEntry",
    "athlete_cache_dir",
    "athlete_folders",
    "clear_scratch",
    "discard_trash",
    "list_artifacts",
    "make_safe_name",
    "move_aside",
    "recover_trash",
    "remove_atomically",
    "remove_quietly",
    "resolve_inside",
    "restore_trash",
    "write_json_atomic",
]

#: Prefix of every file the server writes into ``scratch/``.
SCRATCH_PREFIX = "rf-"
#: Longest file name kept from an upload, characters (before the session id).
MAX_NAME_CHARS = 100
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_MANIFEST = "manifest.json"


def resolve_inside(base: Path, relative: str) -> Path | None:
    """Return the regular file ``relative`` names inside ``base``, or ``None``.

    Parameters
    ----------
    base
        The folder the file must be in (a session's results, say).
    relative
        A path relative to ``base`` as a client sent it, ``/``-separated.

    Returns
    -------
    Path or None
        The resolved file; ``None`` for an empty, absolute or hidden path,
        one with ``..``, an empty component (``//``), a backslash or a NUL,
        a path whose real location (after following symbolic links) is
        outside ``base``, or anything that is not an existing regular file.
    """
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    parts = relative.split("/")  # "" for a leading, doubled or trailing slash
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    try:
        root = base.resolve(strict=True)
        found = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, a symlink loop, a name too long
        return None
    if not found.is_relative_to(root) or not found.is_file():
        return None
    return found


def list_artifacts(folder: Path) -> list[str]:
    """Return the visible regular files under ``folder``, as sorted ``/`` paths.

    Hidden entries (the stages of a run in progress) and symbolic links are
    left out; a missing folder has no artifacts.
    """
    if not folder.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        here = Path(dirpath)
        for name in filenames:
            path = here / name
            if not name.startswith(".") and path.is_file() and not path.is_symlink():
                found.append(path.relative_to(folder).as_posix())
    return sorted(found)


def make_safe_name(name: str) -> str:
    """Turn a client's file name into one safe on every file system.

    The last path component is kept, anything but letters, digits, ``.``,
    ``_`` and ``-`` becomes ``_``, and the stem is shortened so the whole
    name has at most :data:`MAX_NAME_CHARS` characters (the extension kept).
    """
    base = re.split(r"[/\\]", name)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = _UNSAFE_CHARS.sub("", suffix)[:10]
    keep = MAX_NAME_CHARS - (len(suffix) + 1 if suffix else 0)
    stem = (_UNSAFE_CHARS.sub("_", stem).strip("._-") or "video")[:keep]
    return f"{stem}.{suffix}" if suffix else stem


def write_json_atomic(data: Any, path: Path) -> None:
    """Write ``data`` as JSON to ``path`` under a temporary name, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_quietly(path: Path) -> None:
    """Remove a file or a folder if it is there; never raise for a missing one."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def athlete_cache_dir(settings: ServerSettings, athlete_id: int) -> Path:
    """Return the folder of an athlete's comparisons and progress (rebuilt on demand)."""
    return settings.data_dir / "cache" / str(athlete_id)


def athlete_folders(settings: ServerSettings, athlete_id: int) -> list[Path]:
    """Every folder holding an athlete's files: uploads, results, cache."""
    return [
        settings.uploads_dir / str(athlete_id),
        settings.results_dir / str(athlete_id),
        athlete_cache_dir(settings, athlete_id),
    ]


def clear_scratch(settings: ServerSettings) -> int:
    """Remove what the server left in ``scratch/`` (uploads a crash cut off); count them."""
    removed = 0
    if settings.scratch_dir.is_dir():
        for entry in settings.scratch_dir.iterdir():
            if entry.name.startswith(SCRATCH_PREFIX):
                remove_quietly(entry)
                removed += 1
    return removed


@dataclass(frozen=True)
class TrashEntry:
    """Files moved aside for removal, and the database row they belong to.

    Attributes
    ----------
    folder
        The entry in ``trash/``: the manifest and the moved files.
    table
        ``athletes`` or ``sessions``.
    row_id
        The row whose deletion these files follow.
    moved
        ``(original path relative to the data folder, name in the entry)``.
    """

    folder: Path
    table: str
    row_id: int
    moved: tuple[tuple[str, str], ...]


def move_aside(
    settings: ServerSettings, table: str, row_id: int, paths: Iterable[Path]
) -> TrashEntry:
    """Rename ``paths`` (those present) into a new trash entry for row ``table``/``row_id``.

    The manifest is written first, so a crash half-way is recovered by
    :func:`recover_trash`. Renames stay on the data folder's file system,
    so each is atomic and costs nothing whatever the size.
    """
    data = settings.data_dir
    trash = data / "trash"
    trash.mkdir(parents=True, exist_ok=True)
    folder = trash / f"{table}-{row_id}-{secrets.token_hex(6)}"
    folder.mkdir()
    present = [p for p in paths if p.exists() or p.is_symlink()]
    moved = tuple((p.relative_to(data).as_posix(), str(i)) for i, p in enumerate(present))
    entry = TrashEntry(folder, table, row_id, moved)
    write_json_atomic(
        {"table": table, "id": row_id, "moved": [list(m) for m in moved]}, folder / _MANIFEST
    )
    try:
        for original, name in moved:
            (data / original).replace(folder / name)
    except BaseException:
        restore_trash(settings, entry)
        raise
    return entry


def restore_trash(settings: ServerSettings, entry: TrashEntry) -> None:
    """Put the files of ``entry`` back where they were (the row was not deleted after all)."""
    for original, name in entry.moved:
        source, target = entry.folder / name, settings.data_dir / original
        if (source.exists() or source.is_symlink()) and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            source.replace(target)
    remove_quietly(entry.folder)


def remove_atomically(settings: ServerSettings, path: Path) -> None:
    """Remove ``path`` as one step: rename it into ``trash/`` (no manifest), then delete it.

    For files no row claims (a stale folder): a crash in between leaves an
    entry without a manifest, which :func:`recover_trash` removes.
    """
    if not (path.exists() or path.is_symlink()):
        return
    trash = settings.data_dir / "trash"
    trash.mkdir(parents=True, exist_ok=True)
    aside = trash / f"stale-{secrets.token_hex(6)}"
    path.replace(aside)
    remove_quietly(aside)


def discard_trash(entry: TrashEntry) -> None:
    """Remove a trash entry and everything in it (its row is deleted)."""
    remove_quietly(entry.folder)


def _read_entry(folder: Path) -> TrashEntry | None:
    try:
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
        moved = tuple((str(a), str(b)) for a, b in manifest["moved"])
        return TrashEntry(folder, str(manifest["table"]), int(manifest["id"]), moved)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def recover_trash(settings: ServerSettings, row_exists: Callable[[str, int], bool]) -> int:
    """Finish or undo removals a crash interrupted; return how many entries were handled.

    Parameters
    ----------
    settings
        Where the data folder is.
    row_exists
        ``row_exists(table, id)``: whether that row is still in the database.
        If it is, the deletion was not committed and the files go back;
        otherwise they are removed. An entry without a readable manifest
        was cut off before anything was moved into it and is removed.
    """
    trash = settings.data_dir / "trash"
    if not trash.is_dir():
        return 0
    handled = 0
    for folder in sorted(trash.iterdir()):
        entry = _read_entry(folder)
        if entry is not None and row_exists(entry.table, entry.row_id):
            restore_trash(settings, entry)
        else:
            remove_quietly(folder)
        handled += 1
    return handled
