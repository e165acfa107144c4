"""The parent tracks the first segment while the workers run (issue 19): their news in between.

The workers' side is replaced by messages put on the queue, so these tests
need neither MediaPipe nor a second process; the real processes are covered
by ``test_extract.py``.
"""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runform.pose import segments as segments_module
from runform.pose.accumulate import Accumulator
from runform.pose.settings import ExtractionSettings

SEGMENTS: list[tuple[float | None, float | None]] = [(None, 1.0), (1.0, None)]


def _fake_workers(monkeypatch: pytest.MonkeyPatch, *messages: tuple[str, int, Any]) -> None:
    """Workers that 'start' by putting ``messages`` on the queue, as real ones would."""

    def start(self: Any) -> None:
        self.channel = queue.Queue()  # delivered at once: no feeder thread, no timing
        for message in messages:
            self.channel.put(message)

    monkeypatch.setattr(segments_module._Workers, "start", start)
    monkeypatch.setattr(segments_module, "_check_alive", lambda processes, results, polls: 0)


def _fake_parent_segment(
    monkeypatch: pytest.MonkeyPatch, frames: int, seen: list[BaseException]
) -> None:
    """The parent's own segment: ``frames`` frames reported inside a 'landmarker' context."""

    @contextlib.contextmanager
    def landmarker() -> Iterator[None]:
        try:
            yield
        except BaseException as error:  # what a kept landmarker would see pass through it
            seen.append(error)
            raise

    def run_segment(*args: Any) -> Accumulator:
        report = args[4]
        with landmarker():
            for _ in range(frames):
                report(1)
        return Accumulator()

    monkeypatch.setattr(segments_module, "run_segment", run_segment)


def test_a_worker_s_error_stops_the_parent_s_segment_and_is_raised_as_it_was(monkeypatch):
    error = ValueError("worker 1 could not decode its segment")
    _fake_workers(monkeypatch, ("progress", 1, 10), ("error", 1, error))
    seen: list[BaseException] = []
    _fake_parent_segment(monkeypatch, frames=10_000, seen=seen)
    done: list[int] = []
    with pytest.raises(ValueError, match="could not decode") as raised:
        segments_module.run_segments_in_processes(
            Path("clip.mp4"), Path("model.task"), ExtractionSettings(), SEGMENTS, done.append
        )
    assert type(raised.value) is ValueError and str(raised.value) == str(error)  # not wrapped
    assert done == [1, 10]  # stopped at its first frame, not after its whole segment
    # a RuntimeError/ValueError passing through a kept landmarker closes it: the
    # parent's landmarker saw only the private carrier
    assert [type(e).__name__ for e in seen] == ["_WorkerFailed"]


def test_workers_progress_and_results_are_taken_while_the_parent_tracks(monkeypatch):
    worker_result = Accumulator()
    _fake_workers(
        monkeypatch,
        ("progress", 1, 7),
        ("done", 1, (worker_result, [("frames lost", RuntimeWarning)])),
    )
    _fake_parent_segment(monkeypatch, frames=3, seen=[])
    done: list[int] = []
    with pytest.warns(RuntimeWarning, match="frames lost"):
        parts = segments_module.run_segments_in_processes(
            Path("clip.mp4"), Path("model.task"), ExtractionSettings(), SEGMENTS, done.append
        )
    assert done[:2] == [1, 7]  # the worker's progress, taken during the parent's first frame
    assert sum(done) == 10 and len(parts) == 2 and parts[1] == worker_result


def test_the_parent_s_own_error_is_raised_and_the_workers_are_stopped(monkeypatch):
    from runform.pose.segment_run import MorePeopleSeen

    _fake_workers(monkeypatch)
    stopped: list[bool] = []
    monkeypatch.setattr(segments_module._Workers, "stop", lambda self: stopped.append(True))

    def run_segment(*args: Any) -> Accumulator:
        raise MorePeopleSeen(2)

    monkeypatch.setattr(segments_module, "run_segment", run_segment)
    with pytest.raises(MorePeopleSeen):
        segments_module.run_segments_in_processes(
            Path("clip.mp4"), Path("model.task"), ExtractionSettings(), SEGMENTS, lambda n: None
        )
    assert stopped == [True]
