"""A content-addressed cache of poses datasets.

Re-analysing a video never re-runs inference when nothing that affects the
landmarks has changed. The key combines the video's content hash (not its
name or date), the model's sha256, the extraction settings and the poses
schema version.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import xarray as xr

import runform
from runform.errors import InputFileError
from runform.io.poses import SCHEMA_VERSION, load_poses, save_poses

ENV_CACHE_DIR = "RUNFORM_CACHE_DIR"


def resolve_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Return the poses cache folder.

    ``$RUNFORM_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/runform/poses``
    (default ``~/.cache/runform/poses``). The folder may not exist yet.
    """
    env = os.environ if env is None else env
    if env.get(ENV_CACHE_DIR):
        return Path(env[ENV_CACHE_DIR]).expanduser()
    cache_home = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "runform" / "poses"


def compute_cache_key(video_sha256: str, model_sha256: str, settings: Mapping[str, Any]) -> str:
    """Return the cache key for a (video, model, settings) triple.

    Parameters
    ----------
    video_sha256, model_sha256
        Content hashes of the video file and the model bundle.
    settings
        JSON-serialisable extraction settings; key order does not matter.

    Returns
    -------
    str
        A 32-character hex digest. The poses schema version and the
        runform and MediaPipe versions are part of it too.
    """
    payload = json.dumps(
        {
            "video": video_sha256,
            "model": model_sha256,
            "settings": settings,
            "schema": SCHEMA_VERSION,
            # a new runform or MediaPipe may extract differently
            "runform": runform.__version__,
            "mediapipe": _package_version("mediapipe"),
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def load_cached_poses(key: str, cache_dir: Path) -> xr.Dataset | None:
    """Return the cached dataset for ``key``, or None (also if unreadable)."""
    path = cache_dir / f"{key}.nc"
    if not path.is_file():
        return None
    try:
        return load_poses(path)
    except InputFileError:
        path.unlink(missing_ok=True)
        return None


def store_cached_poses(ds: xr.Dataset, key: str, cache_dir: Path) -> Path:
    """Save ``ds`` in the cache under ``key`` (atomically) and return its path."""
    return save_poses(ds, cache_dir / f"{key}.nc")
