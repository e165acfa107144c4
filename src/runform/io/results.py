"""Writing result files atomically (temporary name, then rename)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from runform.serialize import to_json_safe


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
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
