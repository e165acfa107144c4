"""Run pose estimation over a video and build the poses dataset.

:func:`extract_poses` probes the video, runs the landmarker over it (in time
segments, one process each, when the video is long; see
:mod:`runform.pose.segments` and :mod:`runform.pose.segment_run`), looks for
other people, puts back the frames a damaged file lost as empty rows
(:func:`runform.pose.accumulate.restore_lost_frames`), and assembles the
dataset (:mod:`runform.pose.assemble`) with its provenance and the facts about
reading the file (:mod:`runform.pose.read_problems`).

The settings and the segment plan live in :mod:`runform.pose.settings`; their
names are importable from here too.
"""

from __future__ import annotations

import importlib.metadata
import itertools
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

import runform
from runform.errors import NoPersonDetectedError
from runform.io.poses import append_log
from runform.io.video import CorruptFramesWarning, VideoProperties, probe_video
from runform.pose.accumulate import (
    Accumulator,
    check_segments_contiguous,
    merge_segments,
    restore_lost_frames,
)
from runform.pose.assemble import (
    GLIMPSE_S,
    MIN_TRACK_FRAMES,
    assemble_poses,
    compute_in_view_rate,
    find_glimpses,
)
from runform.pose.landmarker_cache import LandmarkerCache
from runform.pose.models import ResolvedModel, compute_file_sha256
from runform.pose.read_problems import (
    describe_damage,
    describe_truncation,
    measure_read_problems,
)
from runform.pose.segment_run import MorePeopleSeen, prefetch, run_segment
from runform.pose.segments import run_segments_in_processes
from runform.pose.settings import (
    DEFAULT_MAX_SIDE,
    MAX_PEOPLE,
    MIN_SEGMENT_FRAMES,
    PROBE_EVERY_S,
    PROBE_MIN_RELATIVE_SIZE,
    SWITCH_JUMP,
    SWITCH_MIN_TRACK_S,
    WARMUP_S,
    ExtractionSettings,
    Progress,
    compute_default_workers,
    plan_segments,
    plan_video_segments,
)

__all__ = [
    "DEFAULT_MAX_SIDE",
    "GLIMPSE_S",
    "MAX_PEOPLE",
    "MIN_SEGMENT_FRAMES",
    "MIN_TRACK_FRAMES",
    "PROBE_EVERY_S",
    "PROBE_MIN_RELATIVE_SIZE",
    "SWITCH_JUMP",
    "SWITCH_MIN_TRACK_S",
    "WARMUP_S",
    "Accumulator",
    "ExtractionSettings",
    "MorePeopleSeen",
    "Progress",
    "assemble_poses",
    "check_segments_contiguous",
    "compute_default_workers",
    "compute_in_view_rate",
    "extract_poses",
    "find_glimpses",
    "merge_segments",
    "plan_segments",
    "plan_video_segments",
    "prefetch",
    "run_segment",
]

#: Former private name of :class:`~runform.pose.accumulate.Accumulator`.
_Accumulator = Accumulator


def _provenance(
    video: Path,
    video_sha256: str,
    props: VideoProperties,
    model: ResolvedModel,
    settings: ExtractionSettings,
) -> dict[str, Any]:
    return {
        "source_software": "MediaPipe",
        # from the package metadata: cheap, and true of the workers too
        "source_software_version": importlib.metadata.version("mediapipe"),
        "source_video": str(video.resolve()),
        "source_video_sha256": video_sha256,
        "fps": float(props.fps) * settings.slowmo,  # real-world frames per second
        "fps_rational": f"{props.fps.numerator}/{props.fps.denominator}",
        "slowmo": settings.slowmo,
        "frame_width": props.width,
        "frame_height": props.height,
        "rotation_deg": props.rotation_deg,
        "codec": props.codec,
        "model_name": model.name,
        "model_variant": model.variant,
        "model_sha256": model.sha256,
        "runform_version": runform.__version__,
    }


class _Counter:
    """Frames done, reported to a progress callback (restartable for a second pass)."""

    def __init__(self, total: int | None, progress: Progress | None) -> None:
        self.total, self.progress, self.done = total, progress, 0

    def __call__(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.total)

    def restart(self) -> None:
        self.done = 0


def _run_pass(
    video: Path,
    model: ResolvedModel,
    settings: ExtractionSettings,
    segments: list[tuple[float | None, float | None]],
    props: VideoProperties,
    counter: _Counter,
    landmarkers: LandmarkerCache | None = None,
) -> tuple[Accumulator, list[tuple[float | None, float | None]]]:
    """One pass over the video, in segments when planned; returns the landmarks and segments."""
    if len(segments) > 1:
        parts = run_segments_in_processes(
            video, model.path, settings, segments, counter, landmarkers
        )
        if check_segments_contiguous(parts, segments, float(props.fps) * settings.slowmo):
            return merge_segments(parts), segments
        # some containers (MPEG-TS, raw streams) seek past the target, and
        # damage can sit at a boundary: frames would be lost there, so run
        # it in one piece
        why = ("frames near a segment boundary could not be decoded"
               if any(part.decode.damaged for part in parts[1:])
               else "this file cannot be cut into exact segments")  # fmt: skip
        warnings.warn(
            f"{video.name}: {why}; extracting it in one process instead",
            RuntimeWarning,
            stacklevel=3,
        )
        counter.restart()
    acc = run_segment(video, model.path, settings, (None, None), counter, landmarkers)
    return acc, [(None, None)]


def _switched_people(acc: Accumulator, width: int, height: int) -> bool:
    """Whether a single-person pass's track jumps to someone else and stays there.

    The torso centre (shoulders and hips) of a person cannot move
    :data:`SWITCH_JUMP` body heights between two frames less than 0.1 s
    apart; when it does, and the body stays away from where it was for
    :data:`SWITCH_MIN_TRACK_S` (not a one-frame glitch), MediaPipe moved to
    someone else. Landmark glitches of one body (a leg put on the treadmill
    console, swapped legs) leave the torso where it is; a runner who leaves
    the picture and comes back later is not a switch.
    """
    if len(acc.normalized) < 3 or acc.crowd is not None:
        return False
    points = np.stack(acc.normalized).astype(float) * np.array([width, height], dtype=float)
    times = np.asarray(acc.times, dtype=float)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nanmean(points[:, [11, 12, 23, 24]], axis=1)  # (time, 2)
        tall = np.nanmax(points[:, :, 1], axis=1) - np.nanmin(points[:, :, 1], axis=1)
    seen = np.flatnonzero(np.isfinite(centre).all(axis=1) & (tall > 0))
    for a, b in itertools.pairwise(seen):
        if times[b] - times[a] > 0.1:
            continue
        size = max(tall[a], tall[b])
        if np.linalg.norm(centre[b] - centre[a]) <= SWITCH_JUMP * size:
            continue
        before = seen[(times[seen] <= times[a]) & (times[seen] > times[a] - SWITCH_MIN_TRACK_S)]
        after = seen[(times[seen] >= times[b]) & (times[seen] < times[b] + SWITCH_MIN_TRACK_S)]
        if times[after[-1]] - times[b] < 0.8 * SWITCH_MIN_TRACK_S:
            continue  # back at once (or the clip ends): a glitch
        moved = np.linalg.norm(np.median(centre[after], 0) - np.median(centre[before], 0))
        if moved > SWITCH_JUMP * size:
            return True
    return False


def _warn_read_problems(attrs: dict[str, Any], video: Path) -> None:
    """Warn about a truncated or damaged file, naming it as a cached read would."""
    truncation = describe_truncation(attrs, video.name)
    if truncation is not None:
        warnings.warn(truncation, RuntimeWarning, stacklevel=3)
    damage = describe_damage(attrs, video.name)
    if damage is not None:
        warnings.warn(damage, CorruptFramesWarning, stacklevel=3)


def extract_poses(
    video: Path | str,
    model: ResolvedModel,
    settings: ExtractionSettings | None = None,
    *,
    video_sha256: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    min_segment_frames: int = MIN_SEGMENT_FRAMES,
    warn: bool = True,
    landmarkers: LandmarkerCache | None = None,
) -> xr.Dataset:
    """Estimate pose landmarks in every frame of a video.

    Parameters
    ----------
    video
        Path of the video file.
    model
        The pose landmarker bundle (see :func:`runform.pose.models.resolve_model`).
    settings
        Resolution, slow-motion factor and detection thresholds.
    video_sha256
        The video's content hash, if already known (computed otherwise).
    workers
        Processes to use (default :func:`compute_default_workers`). Long videos
        are cut into that many time segments, each tracked by its own
        landmarker. Frames before the first boundary are identical to a
        single-process run; after a boundary the runner is detected afresh,
        and the landmarks differ by landmark noise (a few px, fading over
        the next frames). Batch runs that process several videos at once
        should pass 1. A file that cannot be cut exactly (e.g. MPEG-TS) is
        decoded again in one process, with a warning.
    progress
        Called as ``progress(frames_done, frames_total_or_None)``.
    min_segment_frames
        No segment shorter than this many frames is planned (default
        :data:`MIN_SEGMENT_FRAMES`), so short clips run in one process.
    warn
        Warn about a truncated or damaged file (the sentences of
        :func:`~runform.pose.read_problems.describe_read_problems`, naming
        ``video``). Off for a caller that says them itself, from the attrs.
    landmarkers
        Landmarkers kept open by a long-lived process (the coach server's
        workers), lent to the part of this video extracted in this process
        (all of it, or the first segment); see
        :mod:`runform.pose.landmarker_cache`. ``None``
        (every command) creates them for this video. The poses are the same.

    Returns
    -------
    xarray.Dataset
        The poses dataset (see :mod:`runform.io.poses`), with positions in
        pixels of the displayed frame at full source resolution. Its time
        axis is regular: a frame lost to damage is an empty row (NaN
        positions, ``pts_time`` NaN, ``frame`` that of the next frame
        decoded; see :mod:`runform.pose.accumulate`). The
        attrs hold the provenance, ``segments``, ``num_poses``, the detection
        rates and the read facts of
        :data:`~runform.pose.read_problems.READ_FACTS` (numbers only, no file
        name; ``truncated`` is 1 when the file ends early).

    Raises
    ------
    runform.errors.InputFileError
        If the video cannot be read.
    runform.errors.NoPersonDetectedError
        If nobody is detected in any frame.

    Warns
    -----
    RuntimeWarning
        When the file ends well before the frames it states (the sentence
        contains ``the file is probably truncated``).
    runform.io.video.CorruptFramesWarning
        When frames the file holds could not be decoded intact.
    """
    video = Path(video)
    settings = settings or ExtractionSettings()
    props = probe_video(video)
    digest = video_sha256 or compute_file_sha256(video)
    attrs = _provenance(video, digest, props, model, settings)
    segments = plan_video_segments(props, settings, workers, min_segment_frames)
    counter = _Counter(props.n_frames, progress)
    try:
        acc, segments = _run_pass(video, model, settings, segments, props, counter, landmarkers)
        if settings.probes_people and _switched_people(acc, props.width, props.height):
            raise MorePeopleSeen(2)
    except MorePeopleSeen:
        settings = settings.with_people(MAX_PEOPLE)  # the same tracks whoever asks
        counter.restart()
        acc, segments = _run_pass(video, model, settings, segments, props, counter, landmarkers)
    acc = restore_lost_frames(acc, 1.0 / attrs["fps"])
    facts = measure_read_problems(acc.lost, acc.times, props.n_frames, props.n_frames_estimated)
    if warn:
        _warn_read_problems(facts, video)
    ds = assemble_poses(acc, props.width, props.height, {**attrs, "segments": len(segments),
                        "num_poses": settings.landmarker.num_poses, **facts})  # fmt: skip
    n_read = facts["frames_read"]
    if ds.attrs["detection_rate"] == 0.0:
        raise NoPersonDetectedError(
            f"no person was detected in any of the {n_read} frames of {video}",
            hint="check that the runner is fully in view and lit; a side view works best",
        )
    return append_log(ds, "extract_poses", settings=settings.to_dict(), model=model.name,
                      n_frames=n_read, segments=len(segments))  # fmt: skip
