"""Run pose extraction on time segments of one video in parallel processes.

MediaPipe's Python Tasks API serialises every call to its C library through
one thread per process, so a second landmarker in the same process cannot
use a second core. Separate processes can: each decodes and tracks its own
segment, and the parent merges the results in time order. The parent tracks
the first segment itself while the workers start: it has started already, and
a worker would cost one more Python start-up, MediaPipe import and model load
on a core the parent would leave idle. The segments are tracked exactly as
they were when each had its own worker, so the poses do not depend on which
process tracked which segment.

Processes are started with the ``spawn`` method (never ``fork``: the parent
may already hold MediaPipe or FFmpeg threads). Progress and results travel
over one queue; a worker that dies without reporting (a native crash) is
detected and turned into an error instead of a hang.

Dependencies run one way: :mod:`runform.pose.extract` calls this module,
which runs :func:`runform.pose.segment_run.run_segment` here and in each
worker and never imports the extraction back.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runform.pose.accumulate import Accumulator
from runform.pose.landmarker_cache import LandmarkerCache
from runform.pose.segment_run import run_segment
from runform.pose.settings import ExtractionSettings

_POLL_S = 0.5


class SegmentWorkerError(RuntimeError):
    """A segment worker process died without reporting a result."""


def _work(
    index: int,
    video: Path,
    model_path: Path,
    settings: ExtractionSettings,
    segment: tuple[float | None, float | None],
    channel: Any,
) -> None:
    """Entry point of a worker process: extract one segment, report back."""
    pending = 0

    def report(n: int) -> None:
        nonlocal pending
        pending += n
        if pending >= 10:
            channel.put(("progress", index, pending))
            pending = 0

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            acc = run_segment(video, model_path, settings, segment, report)
        channel.put(("progress", index, pending))
        notes = [(str(w.message), w.category) for w in caught]
        channel.put(("done", index, (acc, notes)))
    except BaseException as err:  # sent to the parent, which re-raises it
        channel.put(("error", index, err))


def run_segments_in_processes(
    video: Path,
    model_path: Path,
    settings: ExtractionSettings,
    segments: list[tuple[float | None, float | None]],
    report: Callable[[int], None],
    landmarkers: LandmarkerCache | None = None,
) -> list[Accumulator]:
    """Extract each segment, the first here and each other in its own process.

    The worker processes are started first; this process then tracks the
    first segment (with ``landmarkers`` when given), passing on the
    workers' progress as it goes, and then waits for the workers. Results
    come back in segment order.

    Raises
    ------
    Exception
        Whatever a worker raised (for example a decoding error), re-raised
        here as soon as it arrives; whatever the first segment raised
        (:class:`~runform.pose.segment_run.MorePeopleSeen`). The workers are
        stopped either way.
    SegmentWorkerError
        If a worker process exits without a result.
    """
    workers = _Workers(video, model_path, settings, segments, report)

    def report_here(n: int) -> None:
        report(n)
        workers.drain()  # their news, without waiting for it

    try:
        workers.start()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            first = run_segment(video, model_path, settings, segments[0], report_here, landmarkers)
        workers.notes += [(str(w.message), w.category) for w in caught]
        workers.wait()
    except _WorkerFailed as failed:  # raised here, not inside the parent's landmarkers
        raise failed.error from None
    finally:
        workers.stop()
    _warn_once_per_category(workers.notes)
    return [first, *(workers.results[i] for i in sorted(workers.processes))]


class _Workers:
    """The worker processes of segments 1 onwards, and what they have sent.

    Messages arrive on one queue: ``("progress", i, n)``, ``("done", i,
    (accumulator, warnings))`` or ``("error", i, exception)``; an error is
    raised as :class:`_WorkerFailed`.
    """

    def __init__(
        self,
        video: Path,
        model_path: Path,
        settings: ExtractionSettings,
        segments: list[tuple[float | None, float | None]],
        report: Callable[[int], None],
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self.channel = context.Queue()
        self.processes = {
            i: context.Process(
                target=_work,
                args=(i, video, model_path, settings, segment, self.channel),
                name=f"runform-pose-{i}",
                daemon=True,
            )
            for i, segment in enumerate(segments)
            if i > 0
        }
        self.report = report
        self.results: dict[int, Accumulator] = {}
        self.notes: list[tuple[str, type[Warning]]] = []
        self._dead_polls = 0
        self._next_check = time.monotonic() + _POLL_S

    def start(self) -> None:
        """Start every worker."""
        for process in self.processes.values():
            process.start()

    def take(self, kind: str, index: int, payload: Any) -> None:
        """Act on one message."""
        if kind == "progress":
            self.report(payload)
        elif kind == "error":
            raise _WorkerFailed(payload)
        else:
            self.results[index], worker_notes = payload
            self.notes.extend(worker_notes)

    def drain(self) -> None:
        """Take the messages waiting, and now and then look for a worker that died silently."""
        while True:
            try:
                self.take(*self.channel.get_nowait())
            except queue_module.Empty:
                break
        if time.monotonic() >= self._next_check:
            self._dead_polls = _check_alive(self.processes, self.results, self._dead_polls)
            self._next_check = time.monotonic() + _POLL_S

    def wait(self) -> None:
        """Take messages until every worker has sent its result."""
        while len(self.results) < len(self.processes):
            try:
                message = self.channel.get(timeout=_POLL_S)
            except queue_module.Empty:
                self._dead_polls = _check_alive(self.processes, self.results, self._dead_polls)
                continue
            self.take(*message)

    def stop(self) -> None:
        """Stop the workers still running (after an error) and reap them all."""
        for process in self.processes.values():
            if process.is_alive():
                process.terminate()
            if process.pid is not None:  # started
                process.join(timeout=5)


class _WorkerFailed(Exception):
    """A worker's error, carried out of the parent's own segment unchanged.

    A plain re-raise inside :func:`run_segment` would pass through the
    parent's landmarkers, and a kept landmarker (see
    :mod:`runform.pose.landmarker_cache`) takes a ``RuntimeError`` passing
    through it for its own failure and closes itself.
    """

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _warn_once_per_category(notes: list[tuple[str, type[Warning]]]) -> None:
    """Re-emit workers' warnings, one per category.

    Neighbouring segments overlap by up to a keyframe interval while seeking,
    so two workers can report the same damaged region.
    """
    by_category: dict[type[Warning], list[str]] = {}
    for message, category in notes:
        by_category.setdefault(category, []).append(message)
    for category, messages in by_category.items():
        extra = f" (and {len(messages) - 1} similar report(s) from other segments)"
        warnings.warn(messages[0] + (extra if len(messages) > 1 else ""), category, stacklevel=3)


def _check_alive(processes: dict[int, Any], results: dict[int, Any], dead_polls: int) -> int:
    """Count empty polls while a worker is dead without a result; raise at 2.

    A worker flushes its queue before it exits, so a dead worker whose result
    has not arrived after a further empty poll will never send one (it
    crashed, or its result could not be pickled).
    """
    dead = [(i, p.exitcode) for i, p in processes.items() if i not in results and not p.is_alive()]
    if not dead:
        return 0
    if dead_polls >= 1:
        index, code = dead[0]
        raise SegmentWorkerError(f"pose worker {index} exited with code {code} before finishing")
    return dead_polls + 1
