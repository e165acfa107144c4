"""Writing result files atomically (temporary name, then rename)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from runform.serialize import to_json_safe

#: Permissions of written files (a temporary file is created private).
FILE_MODE = 0o644


def save_json(data: Any, path: Path | str) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically.

    NaN and infinite floats become ``null``. The file appears complete or
    not at all.

    Returns
    -------
    pathlib.Path
        The written path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(to_json_safe(data), handle, indent=2, allow_nan=False)
            handle.write("\n")
        Path(tmp).chmod(FILE_MODE)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def save_bytes(data: bytes, path: Path | str) -> Path:
    """Write ``data`` to ``path`` atomically (a temporary name, renamed when complete)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).chmod(FILE_MODE)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def save_text(text: str, path: Path | str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return save_bytes(text.encode("utf-8"), path)
