"""Run the pose landmarker over one time segment of a video.

Decoding (PyAV, in FFmpeg threads) and inference (MediaPipe) overlap: a
background thread decodes and downscales the next frames into a small bounded
queue while the landmarker works on the current one, so at most a handful of
frames are ever in memory, whatever the video's length.

This module is what each process of :mod:`runform.pose.segments` runs (the
caller on the first segment, a worker on each other); it does not import
:mod:`runform.pose.extract` (which imports the workers).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from runform.io.video import Frame, iter_frames
from runform.pose.accumulate import Accumulator
from runform.pose.landmarker import to_monotonic_ms
from runform.pose.landmarker_cache import LandmarkerCache, open_landmarker
from runform.pose.settings import (
    MAX_PEOPLE,
    PROBE_EVERY_S,
    PROBE_MIN_RELATIVE_SIZE,
    WARMUP_S,
    ExtractionSettings,
)
from runform.pose.tracking import measure_body_height

#: Frames decoded ahead of the landmarker.
_QUEUE_FRAMES = 8


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


class _PeopleProbe:
    """A second landmarker (image mode, up to :data:`MAX_PEOPLE`) run every few frames."""

    def __init__(
        self, model_path: Path, settings: ExtractionSettings, cache: LandmarkerCache | None = None
    ) -> None:
        people = replace(settings.landmarker, num_poses=MAX_PEOPLE)
        self._opened = open_landmarker(model_path, people, "image", cache)
        self._next_s = -np.inf

    def __enter__(self) -> _PeopleProbe:
        self._landmarker = self._opened.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._opened.__exit__(*exc)

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
    landmarkers: LandmarkerCache | None = None,
) -> Accumulator:
    """Run the landmarker (VIDEO mode) over one time segment of a video.

    A segment after the first starts :data:`WARMUP_S` early: the landmarker
    tracks through those frames so that its tracking has settled at the
    boundary, and only the segment's own frames are kept. The stitched
    result then matches one pass over the whole video.

    Parameters
    ----------
    video, model_path
        The video file and the pose landmarker bundle.
    settings
        Extraction settings (resolution, slow motion, people).
    segment
        ``(start_s, end_s)`` in real-world seconds; ``None`` for the start
        or the end of the video.
    report
        Called with 1 after each frame kept (progress).
    landmarkers
        Landmarkers kept open by a long-lived process, lent to this segment
        (see :mod:`runform.pose.landmarker_cache`); ``None`` (every command)
        creates them here and closes them at the end.

    Returns
    -------
    Accumulator
        The landmarks of the segment's frames, with the decoder's
        :class:`~runform.io.video.DecodeReport` (no warning is emitted
        here: the extraction says what was lost, once, for the whole file).

    Raises
    ------
    MorePeopleSeen
        In a single-person pass that probes for people, when several are seen.
    """
    acc = Accumulator(crowd=[] if settings.landmarker.num_poses > 1 else None)
    last_ms = -1
    start_s, end_s = segment
    decode_from = None if start_s is None else max(0.0, start_s - WARMUP_S)
    frames = iter_frames(video, max_side=settings.max_side, slowmo=settings.slowmo,
                         start_s=decode_from, end_s=end_s,
                         report=acc.decode, warn=False)  # fmt: skip
    probe = _PeopleProbe(model_path, settings, landmarkers) if settings.probes_people else None
    with open_landmarker(model_path, settings.landmarker, "video", landmarkers) as landmarker, \
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
