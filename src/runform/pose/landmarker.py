"""MediaPipe PoseLandmarker backend (Tasks API), in VIDEO or IMAGE mode.

VIDEO mode tracks the person from frame to frame: the detector runs only when
tracking is lost, which is faster and steadier than detecting in every frame
(IMAGE mode). MediaPipe demands strictly increasing integer millisecond
timestamps in VIDEO mode; :func:`to_monotonic_ms` makes them so.

MediaPipe is imported lazily, when a landmarker is created, so importing
runform stays cheap and side-effect free.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

import numpy as np

N_KEYPOINTS = 33
RunningMode = Literal["video", "image"]


@dataclass(frozen=True)
class LandmarkerSettings:
    """Detection settings passed to MediaPipe.

    Attributes
    ----------
    min_detection_confidence
        Minimum person-detector score (0-1) to start tracking someone.
    min_presence_confidence
        Minimum pose-presence score (0-1) for landmarks to be reported.
    min_tracking_confidence
        Minimum score (0-1) to keep tracking instead of detecting again.
    num_poses
        Maximum number of people per frame.
    """

    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    num_poses: int = 1

    def __post_init__(self) -> None:
        for name in ("min_detection_confidence", "min_presence_confidence",
                     "min_tracking_confidence"):  # fmt: skip
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"Expected {name} in [0, 1], got {value}.")
        if self.num_poses < 1:
            raise ValueError(f"Expected num_poses >= 1, got {self.num_poses}.")


@dataclass(frozen=True)
class FrameLandmarks:
    """Landmarks of the people found in one frame.

    Attributes
    ----------
    normalized
        Shape ``(n_people, 33, 2)``: x and y as fractions of the image width
        and height (x right, y down); may fall slightly outside 0-1.
    visibility, presence
        Shape ``(n_people, 33)``, 0-1.
    world
        Shape ``(n_people, 33, 3)``: metres, origin at the hip centre, y down.
    """

    normalized: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray

    @property
    def n_people(self) -> int:
        """Number of people detected in the frame."""
        return int(self.normalized.shape[0])


def to_monotonic_ms(times_s: np.ndarray) -> np.ndarray:
    """Convert times to strictly increasing integer milliseconds.

    Parameters
    ----------
    times_s
        Non-decreasing times in seconds.

    Returns
    -------
    numpy.ndarray
        ``int64`` milliseconds, rounded, then nudged up by 1 ms wherever two
        frames would share a timestamp (e.g. above 1000 fps or duplicate PTS).
    """
    ms = np.round(np.asarray(times_s, dtype=np.float64) * 1000.0).astype(np.int64)
    for i in range(1, len(ms)):
        if ms[i] <= ms[i - 1]:
            ms[i] = ms[i - 1] + 1
    return ms


def _convert_result(result: Any) -> FrameLandmarks:
    people = result.pose_landmarks or []
    worlds = result.pose_world_landmarks or []
    n = len(people)
    normalized = np.full((n, N_KEYPOINTS, 2), np.nan, dtype=np.float32)
    visibility = np.zeros((n, N_KEYPOINTS), dtype=np.float32)
    presence = np.zeros((n, N_KEYPOINTS), dtype=np.float32)
    world = np.full((n, N_KEYPOINTS, 3), np.nan, dtype=np.float32)
    for p, landmarks in enumerate(people):
        normalized[p] = [(lm.x, lm.y) for lm in landmarks]
        visibility[p] = [lm.visibility or 0.0 for lm in landmarks]
        presence[p] = [lm.presence or 0.0 for lm in landmarks]
        if p < len(worlds):
            world[p] = [(lm.x, lm.y, lm.z) for lm in worlds[p]]
    return FrameLandmarks(normalized, visibility, presence, world)


class PoseLandmarker:
    """A MediaPipe PoseLandmarker, used as a context manager.

    Parameters
    ----------
    model_path
        A ``pose_landmarker_*.task`` bundle.
    settings
        Detection thresholds and the number of people.
    mode
        ``"video"`` (tracking; timestamps required) or ``"image"``.

    Examples
    --------
    >>> with PoseLandmarker(path) as landmarker:  # doctest: +SKIP
    ...     found = landmarker.detect(rgb, timestamp_ms=0)
    """

    def __init__(
        self,
        model_path: Path,
        settings: LandmarkerSettings | None = None,
        mode: RunningMode = "video",
    ) -> None:
        self.model_path = Path(model_path)
        self.settings = settings or LandmarkerSettings()
        self.mode = mode
        self._landmarker: Any = None
        self._mp: Any = None

    def __enter__(self) -> Self:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        running_mode = (
            vision.RunningMode.VIDEO if self.mode == "video" else vision.RunningMode.IMAGE
        )
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=running_mode,
            num_poses=self.settings.num_poses,
            min_pose_detection_confidence=self.settings.min_detection_confidence,
            min_pose_presence_confidence=self.settings.min_presence_confidence,
            min_tracking_confidence=self.settings.min_tracking_confidence,
        )
        self._mp = mp
        self._landmarker = vision.PoseLandmarker.create_from_options(options)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def detect(self, rgb: np.ndarray, timestamp_ms: int | None = None) -> FrameLandmarks:
        """Estimate landmarks on one RGB frame.

        Parameters
        ----------
        rgb
            ``(H, W, 3)`` uint8, C-contiguous.
        timestamp_ms
            Required in video mode; strictly increasing across calls.

        Returns
        -------
        FrameLandmarks
            Possibly with zero people.
        """
        if self._landmarker is None:
            raise RuntimeError("PoseLandmarker must be used inside a 'with' block.")
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        if self.mode == "video":
            if timestamp_ms is None:
                raise ValueError("timestamp_ms is required in video mode.")
            result = self._landmarker.detect_for_video(image, int(timestamp_ms))
        else:
            result = self._landmarker.detect(image)
        return _convert_result(result)
