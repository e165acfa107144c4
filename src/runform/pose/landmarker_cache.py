"""Pose landmarkers a long-lived process keeps open between videos, where that is exact.

A command that analyses one video creates its landmarkers and closes them at
the end (:func:`runform.pose.segment_run.run_segment`). A long-lived worker
(the coach server's) analyses video after video and passes a
:class:`LandmarkerCache` down through :func:`runform.pipeline.analyze_clip`,
so that what can be kept is created once per process:

* IMAGE-mode landmarkers (the people probe, up to four people) keep no state
  between frames: one is kept open and lent to every video.
* VIDEO-mode landmarkers (tracking) keep state that MediaPipe cannot reset,
  so a new one is created for every video (about 60 ms; importing MediaPipe
  and loading its native library, which take seconds, happen once per
  process either way). Measured on synthetic clips: sending a blank frame
  between two videos makes a kept landmarker forget the tracked person and
  its position filter, but not its visibility filter (``confidence`` off by
  up to 0.1 on the next video's first frame, fading by a factor 0.9 a
  frame) nor its world-landmark filter (up to 3 cm): the next video's
  answer would depend on the video analysed before it. Its clock cannot go
  back to 0 ms either, and MediaPipe filters a clip whose clock starts at
  0 ms one frame later than any other (up to 0.8 px apart on a 480x270
  clip). Either way a job's result would differ from ``runform analyze``'s.

With a cache the landmarks are therefore identical, bit for bit, to those of
a run without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

import numpy as np

from runform.pose.landmarker import FrameLandmarks, LandmarkerSettings, PoseLandmarker, RunningMode

__all__ = ["LandmarkDetector", "LandmarkerCache", "open_landmarker"]


class LandmarkDetector(Protocol):
    """Anything that finds landmarks in one RGB frame (see :class:`PoseLandmarker`)."""

    def detect(self, rgb: np.ndarray, timestamp_ms: int | None = None) -> FrameLandmarks:
        """Return the landmarks of the people in ``rgb``."""
        ...


@dataclass(frozen=True)
class _Key:
    model_path: Path
    settings: LandmarkerSettings


class LandmarkerCache:
    """IMAGE-mode landmarkers kept open across videos, one per model and settings.

    Create one per process, after the process starts (never share one
    between processes), and close it when the process ends. Not
    thread-safe: one video at a time.

    Attributes
    ----------
    created
        How many landmarkers were created through this cache, kept or not
        (for tests and logs).
    """

    def __init__(self) -> None:
        self._kept: dict[_Key, PoseLandmarker] = {}
        self.created = 0

    @property
    def kept(self) -> int:
        """How many landmarkers are open now."""
        return len(self._kept)

    def lend(
        self, model_path: Path, settings: LandmarkerSettings, mode: RunningMode = "video"
    ) -> AbstractContextManager[LandmarkDetector]:
        """Lend a landmarker to one video.

        Parameters
        ----------
        model_path
            The ``pose_landmarker_*.task`` bundle.
        settings
            Thresholds and number of people.
        mode
            ``"image"``: the kept landmarker for these settings (created on
            first use). ``"video"``: a new one, closed when the block ends
            (see the module for why).

        Returns
        -------
        contextlib.AbstractContextManager
            Yields a detector for the length of one video. When a kept
            landmarker's block ends with an error raised by MediaPipe
            (``RuntimeError`` or ``ValueError``), it is closed and the next
            loan creates a new one.
        """
        if mode == "video":
            self.created += 1
            return PoseLandmarker(model_path, settings, mode="video")
        return self._lend_kept(_Key(Path(model_path), settings))

    def warm_up(self, model_path: Path, settings: LandmarkerSettings) -> None:
        """Create the kept landmarker for these settings now (loading MediaPipe and the model)."""
        with self._lend_kept(_Key(Path(model_path), settings)):
            pass

    @contextmanager
    def _lend_kept(self, key: _Key) -> Iterator[LandmarkDetector]:
        landmarker = self._kept.get(key)
        if landmarker is None:
            landmarker = PoseLandmarker(key.model_path, key.settings, mode="image").__enter__()
            self._kept[key] = landmarker
            self.created += 1
        try:
            yield landmarker
        except (RuntimeError, ValueError):  # MediaPipe's errors: its state is unknown
            self._discard(key)
            raise

    def _discard(self, key: _Key) -> None:
        landmarker = self._kept.pop(key, None)
        if landmarker is not None:
            landmarker.__exit__(None, None, None)

    def close(self) -> None:
        """Close every kept landmarker."""
        for key in list(self._kept):
            self._discard(key)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_landmarker(
    model_path: Path,
    settings: LandmarkerSettings,
    mode: RunningMode,
    cache: LandmarkerCache | None,
) -> AbstractContextManager[LandmarkDetector]:
    """Open a landmarker for one video: through ``cache``, or a new one when it is ``None``."""
    if cache is None:
        return PoseLandmarker(model_path, settings, mode=mode)
    return cache.lend(model_path, settings, mode)
