"""Orchestration of the pipeline stages. No domain logic lives here."""

from __future__ import annotations

import warnings
from pathlib import Path

import xarray as xr

from runform.io.cache import (
    compute_cache_key,
    load_cached_poses,
    resolve_cache_dir,
    store_cached_poses,
)
from runform.io.poses import append_log
from runform.io.video import probe_video
from runform.pose.extract import (
    WARMUP_S,
    ExtractionSettings,
    Progress,
    extract_poses,
    plan_video_segments,
)
from runform.pose.landmarker_cache import LandmarkerCache
from runform.pose.models import ResolvedModel, compute_file_sha256


def compute_poses(
    video: Path,
    model: ResolvedModel,
    settings: ExtractionSettings,
    *,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    landmarkers: LandmarkerCache | None = None,
) -> tuple[xr.Dataset, bool]:
    """Return the poses of a video, from the cache when possible.

    Parameters
    ----------
    video
        The video file.
    model
        The pose model to use.
    settings
        Extraction settings (part of the cache key).
    use_cache
        Read and write the poses cache.
    cache_dir
        Cache folder (default: :func:`runform.io.cache.resolve_cache_dir`).
    workers
        Processes for extraction (see :func:`runform.pose.extract.extract_poses`).
    progress
        Progress callback for the extraction.
    landmarkers
        Landmarkers kept open by a long-lived process (see
        :func:`runform.pose.extract.extract_poses`).

    Returns
    -------
    tuple
        ``(poses, from_cache)``.
    """
    props = probe_video(video)  # fail fast, with a clear error, before hashing
    video_sha256 = compute_file_sha256(video)
    # the segment count changes the landmarks slightly (tracking restarts at
    # each boundary), so it is part of what the cached poses depend on
    segments = plan_video_segments(props, settings, workers)
    key = compute_cache_key(
        video_sha256,
        model.sha256,
        {**settings.to_dict(), "segments": len(segments), "segment_warmup_s": WARMUP_S},
    )
    folder = cache_dir or resolve_cache_dir()
    if use_cache and (cached := load_cached_poses(key, folder)) is not None:
        # same content, maybe another name or place: describe this file
        cached.attrs["source_video"] = str(video.resolve())
        return append_log(cached, "load_cached_poses", cache_key=key), True
    poses = extract_poses(
        video, model, settings, video_sha256=video_sha256, workers=workers, progress=progress,
        landmarkers=landmarkers,
    )  # fmt: skip
    if use_cache:
        try:
            store_cached_poses(poses, key, folder)
        except OSError as err:  # the result is still good; only reuse is lost
            warnings.warn(f"could not write the poses cache in {folder}: {err}", stacklevel=2)
    return poses, False
