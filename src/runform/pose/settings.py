"""Settings of pose extraction, and the plan of a video's time segments.

Everything here is plain data and arithmetic (no MediaPipe, no decoding), so
the worker processes of :mod:`runform.pose.segments` and the pipeline can
import it cheaply.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from runform.io.video import VideoProperties
from runform.pose.landmarker import LandmarkerSettings

DEFAULT_MAX_SIDE = 1280
"""Longest side (px) of the frames given to MediaPipe. Its own networks see
224-256 px crops, so 1280 px loses nothing for a runner of normal size.
Scaling 1080p down to it costs libswscale about 6 ms of CPU a frame, twice
the decoding, while the landmarker costs the same at 1920 px; 1920 was
measured (``docs/performance.md``, issue 19): equal landmark error on the
synthetic runner, but the one labelled real clip it changes (1080p) moved
its take-offs from 1.9 to 4.4 frames median, so the default stays until
more labelled HD footage shows which is right. ``--max-side 1920`` is
the faster choice for 1080p."""


#: Progress callback, called as ``progress(frames_done, frames_total_or_None)``.
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


#: Seconds a segment after the first starts early so tracking settles (see run_segment).
WARMUP_S = 1.0


#: Shortest segment worth its own process, frames. A process costs about 2.5 s to
#: start (Python, MediaPipe, the model: ~125 frames of inference) and its warm-up
#: second is decoded and tracked twice; measured on a 5 s 60 fps clip, two
#: segments of 150 frames took 9.7 s against 8.9 s in one process (when every
#: segment had its own worker; now one process fewer starts, so a lower limit
#: may pay: not yet measured, and it moves seams, see below). The caller
#: tracks the first segment itself (see :mod:`runform.pose.segments`), so the
#: segments are equal: a longer first one, to make up for the worker's start,
#: finishes sooner but moves the seam, and the seam's position changed the
#: events of 3 of the 12 labelled real clips (``docs/performance.md``).
MIN_SEGMENT_FRAMES = 200


def plan_segments(
    duration_s: float | None, n_frames: int, workers: int, min_frames: int = MIN_SEGMENT_FRAMES
) -> list[tuple[float | None, float | None]]:
    """Split a video into equal time segments, one per process (the caller's included).

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
