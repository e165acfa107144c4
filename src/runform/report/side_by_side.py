"""``side_by_side.mp4``: baseline and follow-up next to each other, aligned on a landing.

Each session's annotated video starts at its first initial contact after
:data:`LEAD_S`; frames are paired by time from there (the baseline's frame
rate sets the output's), both scaled to the same height, the follow-up
mirrored when the two runners travel in opposite directions, and each
labelled. H.264 yuv420p through :class:`~runform.io.video_writer.VideoWriter`.

Text is never shown mirrored: the labels of the halves are written after
the flip, and the text the annotated video already carries (its HUD, phase,
angles) is put back the right way round at its mirrored place, from the
video's text layer (:class:`~runform.report.video.TextLayer`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from runform.io.video import Frame, iter_frames, probe_video
from runform.io.video_writer import VideoWriter
from runform.report.video import TextLayer, read_text_layer
from runform.viz.overlay import draw_panel
from runform.viz.placement import Box

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


def mirror_keeping_text(image: np.ndarray, regions: Sequence[Box]) -> np.ndarray:
    """Mirror ``image`` left to right, but not its text.

    Each text region ``(x0, y0, x1, y1)`` (whole pixels of ``image``, not
    overlapping) is moved, as it is, to its mirror position ``(W - x1, y0,
    W - x0, y1)``: the text lands where the mirrored frame would have it and
    still reads left to right.
    """
    width = image.shape[1]
    out = np.ascontiguousarray(image[:, ::-1])
    for box in regions:
        x0, y0, x1, y1 = (round(v) for v in box)
        x0, x1 = max(0, x0), min(width, x1)
        y0, y1 = max(0, y0), min(image.shape[0], y1)
        if x0 < x1 and y0 < y1:
            out[y0:y1, width - x1 : width - x0] = image[y0:y1, x0:x1]
    return out


def _regions(layer: TextLayer | None, frame: Frame) -> list[Box]:
    """Scale the text boxes of an annotated frame to the pixels of the decoded image."""
    if layer is None:
        return []
    sx = frame.image.shape[1] / layer.size[0]
    sy = frame.image.shape[0] / layer.size[1]
    return [(b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy) for b in layer.regions_at(frame.time_s)]


def pair_frames(
    videos: tuple[Path, Path],
    starts: tuple[float, float],
    labels: tuple[str, str],
    mirror: bool,
    layer: TextLayer | None = None,
) -> Iterator[np.ndarray]:
    """Side-by-side images, one per baseline frame from its landing, for :data:`MAX_S`.

    With ``mirror`` the follow-up is mirrored; ``layer``, the follow-up's text
    layer, keeps its text readable (:func:`mirror_keeping_text`). The labels
    of the halves are written last, on the halves as shown.
    """
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
        shown = (
            mirror_keeping_text(follow.image, _regions(layer, follow)) if mirror else follow.image
        )
        right = draw_panel(
            _fit(shown, HEIGHT), [labels[1] + (" (mirrored)" if mirror else "")], "bottom-left", 0.8
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
    layer = read_text_layer(videos[1]) if mirror else None
    pairs = pair_frames(videos, starts, labels, mirror, layer)
    first = next(pairs, None)
    if first is None:
        return None
    with VideoWriter(path, probe_video(videos[0]).fps) as writer:
        writer.write(first)
        for pair in pairs:
            writer.write(pair)
    return path
