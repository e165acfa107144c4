"""Run pose estimation over a video and build the poses dataset.

Decoding (PyAV, in FFmpeg threads) and inference (MediaPipe) overlap: a
background thread decodes and downscales the next frames into a small bounded
queue while the landmarker works on the current one, so at most a handful of
frames are ever in memory, whatever the video's length.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import itertools
import os
import queue
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

import runform
from runform.errors import NoPersonDetectedError
from runform.io.poses import append_log, create_poses_dataset
from runform.io.video import Frame, VideoProperties, iter_frames, probe_video
from runform.pose.landmarker import (
    N_KEYPOINTS,
    FrameLandmarks,
    LandmarkerSettings,
    PoseLandmarker,
    to_monotonic_ms,
)
from runform.pose.models import ResolvedModel, compute_file_sha256
from runform.pose.segments import run_segments_in_processes
from runform.pose.tracking import link_tracks, measure_body_height

DEFAULT_MAX_SIDE = 1280
"""Longest side (px) of the frames given to MediaPipe. Its own networks see
224-256 px crops, so 1280 px loses nothing for a runner of normal size while
halving the cost of converting 1080p/4K frames."""

_QUEUE_FRAMES = 8
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class ExtractionSettings:
    """Everything that changes the poses extracted from a video.

    Attributes
    ----------
    max_side
        Frames are downscaled so their longest side is at most this (px);
        ``None`` keeps full resolution.
    slowmo
        Capture-to-playback speed ratio of slow-motion footage (e.g. 4 for
        240 fps played at 60 fps); times are divided by it.
    landmarker
        MediaPipe thresholds and number of people (``num_poses``). With
        more than one, everybody is tracked (:mod:`runform.pose.tracking`)
        and each track is an ``individual`` of the dataset.
    probe_people
        With ``num_poses == 1``: look for other people every
        :data:`PROBE_EVERY_S` (a second landmarker in image mode, on frames
        already decoded), and re-run with everybody tracked when there are
        any, or when the single track jumps to someone else. Off: one
        person, as MediaPipe tracks them.
    """

    max_side: int | None = DEFAULT_MAX_SIDE
    slowmo: float = 1.0
    landmarker: LandmarkerSettings = field(default_factory=LandmarkerSettings)
    probe_people: bool = True

    def __post_init__(self) -> None:
        if self.slowmo <= 0:
            raise ValueError(f"Expected slowmo > 0, got {self.slowmo}.")
        if self.max_side is not None and self.max_side < 64:
            raise ValueError(f"Expected max_side >= 64 px, got {self.max_side}.")

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as plain JSON-serialisable data."""
        return asdict(self)

    @property
    def probes_people(self) -> bool:
        """Whether a pass with these settings looks for other people."""
        return self.probe_people and self.landmarker.num_poses == 1

    def with_people(self, num_poses: int) -> ExtractionSettings:
        """Return these settings tracking up to ``num_poses`` people, without probing."""
        landmarker = replace(self.landmarker, num_poses=num_poses)
        return replace(self, landmarker=landmarker, probe_people=False)


#: Most people tracked when other people are found in a single-person pass.
MAX_PEOPLE = 4
#: Seconds between the probes for other people in a single-person pass.
PROBE_EVERY_S = 1.0
#: A probed person counts when their body is at least this fraction of the largest's height.
PROBE_MIN_RELATIVE_SIZE = 0.25
#: In a single-person pass, a body that stays this long where the tracked one jumped
#: to means MediaPipe switched people, s.
SWITCH_MIN_TRACK_S = 0.5
#: Torso jump between consecutive frames that no body makes, body heights.
SWITCH_JUMP = 0.5
#: Tracks with fewer detections than this are dropped as spurious, frames.
MIN_TRACK_FRAMES = 3


class MorePeopleSeen(Exception):
    """A single-person pass saw ``count`` people; the video is extracted again, tracked."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


_SENTINEL: Any = object()


def prefetch(items: Iterator[Frame], size: int = _QUEUE_FRAMES) -> Iterator[Frame]:
    """Yield items from ``items``, produced ahead in a background thread.

    At most ``size`` items wait in the queue. Exceptions raised by the
    producer are re-raised in the consumer, and stopping early (for
    example on Ctrl-C) stops the producer.
    """
    buffer: queue.Queue[Any] = queue.Queue(maxsize=size)
    stop = threading.Event()

    def produce() -> None:
        # warnings raised here go through the process-wide filters directly;
        # catching them in this thread would change those filters for all
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as err:
            buffer.put(("error", err))
        buffer.put(_SENTINEL)

    thread = threading.Thread(target=produce, name="runform-decode", daemon=True)
    thread.start()
    try:
        while (item := buffer.get()) is not _SENTINEL:
            if isinstance(item, tuple) and item[0] == "error":
                raise item[1]
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


@dataclass
class _Accumulator:
    """Per-frame landmarks collected during extraction.

    One person: the arrays of the first person found (NaN when none). Many
    (``crowd`` not None): every person of every frame, linked into tracks
    when the dataset is assembled.
    """

    frames: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    pts: list[float] = field(default_factory=list)
    normalized: list[np.ndarray] = field(default_factory=list)
    visibility: list[np.ndarray] = field(default_factory=list)
    presence: list[np.ndarray] = field(default_factory=list)
    world: list[np.ndarray] = field(default_factory=list)
    crowd: list[FrameLandmarks] | None = None  # everybody per frame, when tracking many

    def add(self, frame: Frame, found: FrameLandmarks) -> None:
        self.frames.append(frame.index)
        self.times.append(frame.time_s)
        self.pts.append(frame.pts_time_s)
        if self.crowd is not None:
            self.crowd.append(found)
            return
        if found.n_people:
            self.normalized.append(found.normalized[0])
            self.visibility.append(found.visibility[0])
            self.presence.append(found.presence[0])
            self.world.append(found.world[0])
        else:
            self.normalized.append(np.full((N_KEYPOINTS, 2), np.nan, np.float32))
            self.visibility.append(np.zeros(N_KEYPOINTS, np.float32))
            self.presence.append(np.zeros(N_KEYPOINTS, np.float32))
            self.world.append(np.full((N_KEYPOINTS, 3), np.nan, np.float32))


def compute_in_view_rate(detected: np.ndarray) -> float:
    """Fraction of frames with a detection between the first and last detection.

    Frames before the runner enters or after they leave the picture do not
    count against the detector, so this separates "the detector lost the
    runner" from "nobody was there".

    Parameters
    ----------
    detected
        Boolean per frame.

    Returns
    -------
    float
        In 0-1; 0 when nothing was detected.
    """
    hits = np.flatnonzero(detected)
    if hits.size == 0:
        return 0.0
    return float(detected[hits[0] : hits[-1] + 1].mean())


def assemble_poses(acc: _Accumulator, width: int, height: int, attrs: dict[str, Any]) -> xr.Dataset:
    """Turn collected landmarks into the poses dataset (pixels, metres).

    One person: one ``individual`` (``runner``). Many: one ``individual``
    per track (``person_0``, ``person_1``, ... in order of first appearance;
    see :func:`runform.pose.tracking.link_tracks`), tracks of fewer than
    :data:`MIN_TRACK_FRAMES` detections dropped as spurious.
    """
    if acc.crowd is not None:
        return _assemble_tracks(acc, width, height, attrs)
    normalized = np.stack(acc.normalized)  # (time, kp, 2)
    pixels = normalized * np.array([width, height], dtype=np.float32)
    position = pixels.transpose(0, 2, 1)[..., None]  # (time, space, kp, 1)
    world = np.stack(acc.world).transpose(0, 2, 1)[..., None]
    detected = ~np.isnan(normalized[:, 0, 0])
    rates = {
        "detection_rate": float(detected.mean()) if len(detected) else 0.0,
        "detection_rate_in_view": compute_in_view_rate(detected),
    }
    ds = create_poses_dataset(
        position,
        np.stack(acc.visibility)[..., None],
        np.asarray(acc.times),
        presence=np.stack(acc.presence)[..., None],
        world_position=world,
        frame=np.asarray(acc.frames),
        attrs={**attrs, **rates},
    )
    return ds.assign_coords(pts_time=("time", np.asarray(acc.pts), {"units": "s"}))


#: Runs of detections shorter than this, cut off from the rest of their track, are dropped, s.
GLIMPSE_S = 0.2
#: Detections further apart than this are in different runs, s.
_RUN_GAP_S = 0.1


def find_glimpses(detected: np.ndarray, times_s: np.ndarray) -> np.ndarray:
    """Frames of a track's short, isolated runs of detections (glimpses).

    A run is a stretch of detections less than 0.1 s apart. A run shorter
    than :data:`GLIMPSE_S`, when the track has longer ones, is most likely a
    body MediaPipe merged from two people passing each other: its frames are
    returned (boolean, like ``detected``) to be dropped.
    """
    out = np.zeros(len(detected), dtype=bool)
    frames = np.flatnonzero(detected)
    if frames.size == 0:
        return out
    breaks = np.flatnonzero(np.diff(times_s[frames]) > _RUN_GAP_S) + 1
    runs = np.split(frames, breaks)
    lengths = [times_s[r[-1]] - times_s[r[0]] for r in runs]
    if max(lengths) < GLIMPSE_S:
        return out
    for run, length in zip(runs, lengths, strict=True):
        if length < GLIMPSE_S:
            out[run] = True
    return out


def _assemble_tracks(
    acc: _Accumulator, width: int, height: int, attrs: dict[str, Any]
) -> xr.Dataset:
    assert acc.crowd is not None
    size = np.array([width, height], dtype=np.float32)
    pixels = [found.normalized * size for found in acc.crowd]
    times = np.asarray(acc.times, dtype=float)
    ids = link_tracks([p.astype(float) for p in pixels], times)
    every = np.concatenate([*ids, np.zeros(0, np.int64)]).astype(np.int64)
    counts = np.bincount(every[every >= 0])
    kept = [int(i) for i in np.flatnonzero(counts >= MIN_TRACK_FRAMES)]  # first-seen order
    column = {track: k for k, track in enumerate(kept)}
    n, k = len(times), max(1, len(kept))
    position = np.full((n, 2, N_KEYPOINTS, k), np.nan, np.float32)
    world = np.full((n, 3, N_KEYPOINTS, k), np.nan, np.float32)
    visibility = np.zeros((n, N_KEYPOINTS, k), np.float32)
    presence = np.zeros((n, N_KEYPOINTS, k), np.float32)
    for t, (found, frame_ids, px) in enumerate(zip(acc.crowd, ids, pixels, strict=True)):
        for person, track in enumerate(frame_ids):
            if int(track) not in column:
                continue
            c = column[int(track)]
            position[t, :, :, c] = px[person].T
            world[t, :, :, c] = found.world[person].T
            visibility[t, :, c] = found.visibility[person]
            presence[t, :, c] = found.presence[person]
    for c in range(k):  # a glimpse inside an occlusion is a body merged with another
        glimpses = find_glimpses(np.isfinite(position[:, 0, 0, c]), times)
        position[glimpses, :, :, c] = np.nan
        world[glimpses, :, :, c] = np.nan
        visibility[glimpses, :, c] = 0.0
        presence[glimpses, :, c] = 0.0
    detected = np.isfinite(position[:, 0, 0, :]).any(axis=1)
    rates = {
        "detection_rate": float(detected.mean()) if n else 0.0,
        "detection_rate_in_view": compute_in_view_rate(np.asarray(detected)),
        "people_tracked": len(kept),
    }
    ds = create_poses_dataset(
        position, visibility, times, presence=presence, world_position=world,
        frame=np.asarray(acc.frames), individuals=[f"person_{i}" for i in range(k)],
        attrs={**attrs, **rates},
    )  # fmt: skip
    return ds.assign_coords(pts_time=("time", np.asarray(acc.pts), {"units": "s"}))


def _provenance(
    video: Path,
    video_sha256: str,
    props: VideoProperties,
    model: ResolvedModel,
    settings: ExtractionSettings,
) -> dict[str, Any]:
    return {
        "source_software": "MediaPipe",
        # from the package metadata: importing mediapipe here would load its
        # native library into a parent process that only coordinates workers
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


#: Seconds a segment after the first starts early so tracking settles (see run_segment).
WARMUP_S = 1.0


#: Shortest segment worth its own process, frames. A process costs about 2.5 s to
#: start (Python, MediaPipe, the model: ~125 frames of inference) and its warm-up
#: second is decoded and tracked twice; measured on a 5 s 60 fps clip, two
#: segments of 150 frames took 9.7 s against 8.9 s in one process.
MIN_SEGMENT_FRAMES = 200


def plan_segments(
    duration_s: float | None, n_frames: int, workers: int, min_frames: int = MIN_SEGMENT_FRAMES
) -> list[tuple[float | None, float | None]]:
    """Split a video into time segments, one per worker process.

    Parameters
    ----------
    duration_s
        Video duration in real-world seconds (``None`` if unknown).
    n_frames
        Number of frames (may be an estimate).
    workers
        Processes available.
    min_frames
        No segment is planned shorter than this many frames: starting a
        process and re-detecting the runner costs about a second.

    Returns
    -------
    list of (start_s, end_s)
        Contiguous half-open intervals ``[start_s, end_s)`` covering the whole
        video; ``None`` means "from the start" or "to the end".
    """
    if duration_s is None or duration_s <= 0 or n_frames <= 0:
        return [(None, None)]
    n = max(1, min(workers, n_frames // max(1, min_frames)))
    bounds = [duration_s * i / n for i in range(1, n)]
    starts: list[float | None] = [None, *bounds]
    ends: list[float | None] = [*bounds, None]
    return list(zip(starts, ends, strict=True))


def compute_default_workers() -> int:
    """Worker processes for one video: the usable CPUs, at most 4.

    MediaPipe's Python API runs inference on one thread per process, so
    throughput scales with processes, not threads.
    """
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else (os.cpu_count() or 1)))  # fmt: skip


def plan_video_segments(
    props: VideoProperties,
    settings: ExtractionSettings,
    workers: int | None,
    min_frames: int = MIN_SEGMENT_FRAMES,
) -> list[tuple[float | None, float | None]]:
    """Plan the segments of a video (see :func:`plan_segments`)."""
    duration = props.duration_s / settings.slowmo if props.duration_s else None
    return plan_segments(duration, props.n_frames, workers or compute_default_workers(), min_frames)


class _PeopleProbe:
    """A second landmarker (image mode, up to :data:`MAX_PEOPLE`) run every few frames."""

    def __init__(self, model_path: Path, settings: ExtractionSettings) -> None:
        people = replace(settings.landmarker, num_poses=MAX_PEOPLE)
        self._landmarker = PoseLandmarker(model_path, people, mode="image")
        self._next_s = -np.inf

    def __enter__(self) -> _PeopleProbe:
        self._landmarker.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._landmarker.__exit__(None, None, None)

    def count_people(self, frame: Frame) -> int:
        """People of a fair size in ``frame`` when a probe is due, else 0."""
        if frame.time_s < self._next_s:
            return 0
        self._next_s = frame.time_s + PROBE_EVERY_S
        found = self._landmarker.detect(frame.image)
        size = np.array(frame.image.shape[1::-1], dtype=float)  # width, height px
        heights = np.array([measure_body_height(p * size) for p in found.normalized])
        heights = heights[np.isfinite(heights)]
        if heights.size < 2:
            return int(heights.size)
        return int(np.sum(heights >= PROBE_MIN_RELATIVE_SIZE * heights.max()))


def run_segment(
    video: Path,
    model_path: Path,
    settings: ExtractionSettings,
    segment: tuple[float | None, float | None],
    report: Callable[[int], None] | None = None,
) -> _Accumulator:
    """Run the landmarker (VIDEO mode) over one time segment of a video.

    A segment after the first starts :data:`WARMUP_S` early: the landmarker
    tracks through those frames so that its tracking has settled at the
    boundary, and only the segment's own frames are kept. The stitched
    result then matches one pass over the whole video.
    """
    acc = _Accumulator(crowd=[] if settings.landmarker.num_poses > 1 else None)
    last_ms = -1
    start_s, end_s = segment
    decode_from = None if start_s is None else max(0.0, start_s - WARMUP_S)
    frames = iter_frames(
        video, max_side=settings.max_side, slowmo=settings.slowmo, start_s=decode_from, end_s=end_s
    )
    probe = _PeopleProbe(model_path, settings) if settings.probes_people else None
    with PoseLandmarker(model_path, settings.landmarker, mode="video") as landmarker, \
            probe or contextlib.nullcontext():  # fmt: skip
        for frame in prefetch(frames):
            timestamp = max(int(to_monotonic_ms(np.array([frame.time_s]))[0]), last_ms + 1)
            last_ms = timestamp
            found = landmarker.detect(frame.image, timestamp)
            if start_s is not None and frame.time_s < start_s:
                continue  # warm-up: tracked, not kept
            if probe is not None and (count := probe.count_people(frame)) > 1:
                raise MorePeopleSeen(count)
            acc.add(frame, found)
            if report is not None:
                report(1)
    return acc


def check_segments_contiguous(
    parts: list[_Accumulator],
    segments: list[tuple[float | None, float | None]],
    fps: float,
) -> bool:
    """Tell whether each segment's first frame starts right at its boundary.

    Parameters
    ----------
    parts
        Results of each segment, in order.
    segments
        The planned ``(start_s, end_s)`` intervals.
    fps
        Real-world frame rate, frames/s.

    Returns
    -------
    bool
        False if a segment (after the first) is empty or its first frame
        comes more than 1.5 frame intervals after its start, i.e. frames
        between the boundary and that first frame were skipped.
    """
    tolerance = 1.5 / fps if fps > 0 else 0.0
    for part, (start, _) in zip(parts[1:], segments[1:], strict=True):
        if not part.times or (start is not None and part.times[0] > start + tolerance):
            return False
    return True


def _warn_if_short(video: Path, props: VideoProperties, n_read: int) -> str | None:
    """Warn when a file ends well before its header says; return the message.

    A stated frame count must be met within 2 frames; one estimated from the
    stated duration within 20 % (durations are rounded and variable frame
    rates vary).
    """
    if props.n_frames_estimated:
        if n_read >= 0.8 * props.n_frames:
            return None
        stated = f"the ~{props.n_frames} frames its stated duration implies"
    else:
        if n_read >= props.n_frames - 2:
            return None
        stated = f"the {props.n_frames} frames its header states"
    message = (f"{video.name} ends early: read {n_read} of {stated}; "
               "the file is probably truncated")  # fmt: skip
    warnings.warn(message, RuntimeWarning, stacklevel=3)
    return message


def merge_segments(parts: list[_Accumulator]) -> _Accumulator:
    """Concatenate segment results in time order and renumber the frames."""
    merged = _Accumulator(crowd=[] if parts and parts[0].crowd is not None else None)
    for part in parts:
        for name in ("times", "pts", "normalized", "visibility", "presence", "world"):
            getattr(merged, name).extend(getattr(part, name))
        if merged.crowd is not None and part.crowd is not None:
            merged.crowd.extend(part.crowd)
    merged.frames = list(range(len(merged.times)))
    return merged


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
) -> tuple[_Accumulator, list[tuple[float | None, float | None]]]:
    """One pass over the video, in segments when planned; returns the landmarks and segments."""
    if len(segments) > 1:
        parts = run_segments_in_processes(video, model.path, settings, segments, counter)
        if check_segments_contiguous(parts, segments, float(props.fps) * settings.slowmo):
            return merge_segments(parts), segments
        # some containers (MPEG-TS, raw streams) seek past the target:
        # frames would be lost at the boundaries, so run it in one piece
        warnings.warn(
            f"{video.name}: this file cannot be cut into exact segments; "
            "extracting it in one process instead",
            RuntimeWarning,
            stacklevel=3,
        )
        counter.restart()
    return run_segment(video, model.path, settings, (None, None), counter), [(None, None)]


def _switched_people(acc: _Accumulator, width: int, height: int) -> bool:
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


def extract_poses(
    video: Path | str,
    model: ResolvedModel,
    settings: ExtractionSettings | None = None,
    *,
    video_sha256: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    min_segment_frames: int = MIN_SEGMENT_FRAMES,
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

    Returns
    -------
    xarray.Dataset
        The poses dataset (see :mod:`runform.io.poses`), with positions in
        pixels of the displayed frame at full source resolution.

    Raises
    ------
    runform.errors.InputFileError
        If the video cannot be read.
    runform.errors.NoPersonDetectedError
        If nobody is detected in any frame.
    """
    video = Path(video)
    settings = settings or ExtractionSettings()
    props = probe_video(video)
    digest = video_sha256 or compute_file_sha256(video)
    attrs = _provenance(video, digest, props, model, settings)
    segments = plan_video_segments(props, settings, workers, min_segment_frames)
    counter = _Counter(props.n_frames, progress)
    try:
        acc, segments = _run_pass(video, model, settings, segments, props, counter)
        if settings.probes_people and _switched_people(acc, props.width, props.height):
            raise MorePeopleSeen(2)
    except MorePeopleSeen:
        settings = settings.with_people(MAX_PEOPLE)  # the same tracks whoever asks
        counter.restart()
        acc, segments = _run_pass(video, model, settings, segments, props, counter)
    truncated = _warn_if_short(video, props, len(acc.frames))
    notes = {"truncated": truncated} if truncated else {}  # repeated when read from the cache
    ds = assemble_poses(acc, props.width, props.height, {**attrs, "segments": len(segments),
                        "num_poses": settings.landmarker.num_poses, **notes})  # fmt: skip
    if ds.attrs["detection_rate"] == 0.0:
        raise NoPersonDetectedError(
            f"no person was detected in any of the {len(acc.frames)} frames of {video}",
            hint="check that the runner is fully in view and lit; a side view works best",
        )
    return append_log(ds, "extract_poses", settings=settings.to_dict(), model=model.name,
                      n_frames=len(acc.frames), segments=len(segments))  # fmt: skip
