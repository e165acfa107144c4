"""Resolve a comparison input: an analysis folder, an ``analysis.json``, or a video."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runform.errors import RunformError


def find_analysis_json(path: Path) -> Path | None:
    """Find the ``analysis.json`` of an analysis folder (or the file itself), else ``None``."""
    if path.is_dir() and (path / "analysis.json").is_file():
        return path / "analysis.json"
    if path.is_file() and path.name.endswith(".json"):
        return path
    return None


def load_analysis_json(path: Path) -> dict[str, Any]:
    """Read an ``analysis.json`` written by ``runform analyze``.

    Raises
    ------
    RunformError
        If it is not JSON or not an analysis (no ``checkpoints``).
    """
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RunformError(f"cannot read {path}: {error}") from None
    if not isinstance(data, dict) or "checkpoints" not in data:
        raise RunformError(
            f"{path} is not an analysis.json from runform analyze",
            hint="pass a video, or a folder written by runform analyze",
        )
    return data
