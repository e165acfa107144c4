"""``side_by_side.mp4``: baseline and follow-up next to each other, aligned on a landing.

Each session's annotated video starts at its first initial contact after
:data:`LEAD_S`; frames are paired by time from there (the baseline's frame
rate sets the output's), both scaled to the same height, the follow-up
mirrored when the two runners travel in opposite directions, and each
labelled. H.264 yuv420p through :class:`~runform.io.video_writer.VideoWriter`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from runform.io.video import Frame, iter_frames, probe_video
from runform.io.video_writer import VideoWriter
from runform.viz.overlay import draw_panel

#: Skip landings in the first this many seconds (the runner may be entering).
LEAD_S = 0.3
#: Longest comparison clip, seconds.
MAX_S = 8.0
#: Height of each half, pixels.
HEIGHT = 720


def first_landing(analysis: Mapping[str, Any]) -> float:
    """Time of the first initial contact after :data:`LEAD_S`, else 0."""
    times = sorted(
        e["time_s"] for e in analysis.get("events", []) if e.get("type") == "initial_contact"
    )
    later = [t for t in times if t >= LEAD_S]
    return float(later[0] if later else (times[0] if times else 0.0))


def _frames_from(video: Path, start_s: float) -> Iterator[Frame]:
    return iter_frames(video, start_s=max(0.0, start_s - 1e-6))


def _fit(image: np.ndarray, height: int) -> np.ndarray:
    width = max(2, round(image.shape[1] * height / image.shape[0]))
    return np.asarray(
        cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8
    )


def pair_frames(
    videos: tuple[Path, Path],
    starts: tuple[float, float],
    labels: tuple[str, str],
    mirror: bool,
) -> Iterator[np.ndarray]:
    """Side-by-side images, one per baseline frame from its landing, for :data:`MAX_S`."""
    follow_frames = _frames_from(videos[1], starts[1])
    follow, upcoming = next(follow_frames, None), next(follow_frames, None)
    gap = np.full((HEIGHT, 8, 3), 255, np.uint8)
    for frame in _frames_from(videos[0], starts[0]):
        elapsed = frame.time_s - starts[0]
        if elapsed > MAX_S or follow is None:
            return
        while upcoming is not None and upcoming.time_s - starts[1] <= elapsed + 1e-9:
            follow, upcoming = upcoming, next(follow_frames, None)
        left = draw_panel(_fit(frame.image, HEIGHT), [labels[0]], "bottom-left", 0.8)
        right = _fit(follow.image, HEIGHT)
        if mirror:
            right = np.ascontiguousarray(right[:, ::-1])
        right = draw_panel(
            right, [labels[1] + (" (mirrored)" if mirror else "")], "bottom-left", 0.8
        )
        yield np.ascontiguousarray(np.concatenate([left, gap, right], axis=1))


def write_side_by_side(
    videos: tuple[Path, Path],
    analyses: tuple[Mapping[str, Any], Mapping[str, Any]],
    labels: tuple[str, str],
    path: Path,
) -> Path | None:
    """Write the two annotated videos side by side, aligned on a landing.

    Returns ``None`` (and writes nothing) when there is no frame to pair.
    """
    starts = (first_landing(analyses[0]), first_landing(analyses[1]))
    directions = [a.get("capture", {}).get("direction") for a in analyses]
    sideways = all(d in ("left", "right") for d in directions)
    mirror = sideways and directions[0] != directions[1]
    pairs = pair_frames(videos, starts, labels, mirror)
    first = next(pairs, None)
    if first is None:
        return None
    with VideoWriter(path, probe_video(videos[0]).fps) as writer:
        writer.write(first)
        for pair in pairs:
            writer.write(pair)
    return path
