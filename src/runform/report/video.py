"""Write ``annotated.mp4``: the source video with the analysis drawn on it.

H.264 in MP4 (yuv420p, faststart; :class:`~runform.io.video_writer.VideoWriter`
writes to a temporary name and renames when complete) at the source frame
rate, with the same number of frames as the source, capped at 1080p. The
frame that shows a focus item starts its callout, which stays on the
running footage for :data:`CALLOUT_S` (until the next callout, if sooner):
no frame of the source is replaced, and the video keeps the source's length
and timing (a held frame used to replace 1.2 s of footage, hiding the
contacts, and the next focus item's callout, in it).

Next to the video, ``annotated.text.json`` (:class:`TextLayer`) says where
text was written on each frame, so that a copy of the video shown mirrored
(``side_by_side.mp4``) can put that text back the right way round.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from runform.checkpoints.assess import Analysis
from runform.io.results import save_json
from runform.io.video import iter_frames, probe_video
from runform.io.video_writer import VideoWriter, compute_even_size
from runform.scene.runner import track_id
from runform.viz.annotate import (
    FrameMarks,
    choose_freeze_frames,
    draw_frame_geometry,
    freeze_labels,
    plan_frame_labels,
    plan_frame_marks,
)
from runform.viz.placement import Box
from runform.viz.text import arrange_labels, draw_labels, text_regions

#: How long a focus item's callout stays on the video, seconds.
CALLOUT_S = 1.2
#: Largest short side of the annotated video, pixels (1080p).
MAX_SHORT_SIDE = 1080


@dataclass(frozen=True)
class TextLayer:
    """Where text was written on each frame of an annotated video.

    Attributes
    ----------
    fps
        The video's frame rate (frame ``k`` is shown at ``k / fps``).
    size
        ``(width, height)`` of the video, pixels.
    frames
        Per frame, the boxes ``(x0, y0, x1, y1)`` its text covers (whole
        pixels, none overlapping another).
    """

    fps: float
    size: tuple[int, int]
    frames: tuple[tuple[Box, ...], ...]

    def regions_at(self, time_s: float) -> tuple[Box, ...]:
        """Return the text boxes of the frame shown at ``time_s`` (none past the end)."""
        k = round(time_s * self.fps)
        return self.frames[k] if 0 <= k < len(self.frames) else ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``annotated.text.json``)."""
        return {
            "schema_version": 1,
            "fps": self.fps,
            "size": list(self.size),
            "frames": [[[round(v) for v in box] for box in boxes] for boxes in self.frames],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TextLayer:
        """Read the JSON form back."""
        frames = tuple(tuple((float(b[0]), float(b[1]), float(b[2]), float(b[3])) for b in boxes)
                       for boxes in data["frames"])  # fmt: skip
        width, height = data["size"]
        return cls(float(data["fps"]), (int(width), int(height)), frames)


def text_layer_path(video: Path) -> Path:
    """Name the text layer of a video: ``annotated.mp4`` → ``annotated.text.json``."""
    return video.with_name(f"{video.stem}.text.json")


def read_text_layer(video: Path) -> TextLayer | None:
    """Read the text layer next to an annotated video; ``None`` if absent or unreadable."""
    path = text_layer_path(video)
    try:
        return TextLayer.from_dict(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def compute_output_size(width: int, height: int) -> tuple[int, int]:
    """Annotated size: the source size with the short side at most 1080, even sides."""
    scale = min(1.0, MAX_SHORT_SIDE / min(width, height))
    return compute_even_size(max(2, math.floor(width * scale)), max(2, math.floor(height * scale)))


def write_annotated_video(
    video: Path,
    analysis: Analysis,
    path: Path,
    slowmo: float = 1.0,
    progress: Callable[[int, int | None], None] | None = None,
    people: xr.Dataset | None = None,
) -> Path:
    """Draw the analysis on every frame of ``video`` and write ``path``.

    Parameters
    ----------
    video
        The source video the analysis was made from.
    analysis
        Its analysis (poses, events, checkpoints, focus).
    path
        Output ``.mp4``.
    slowmo
        The slow-motion factor the poses were extracted with.
    progress
        Called as ``progress(frames_done, frames_total)``.
    people
        The poses of everybody in view (all ``individual`` tracks): the
        people other than the analysed one are drawn in grey with their id.

    Returns
    -------
    pathlib.Path
        ``path``; its text layer is written next to it
        (:func:`text_layer_path`).
    """
    props = probe_video(video)
    out_w, out_h = compute_output_size(props.width, props.height)
    marks = plan_frame_marks(analysis)
    poses = analysis.gait.poses
    position = poses["position"]
    confidence = poses["confidence"]
    if "individual" in position.dims:
        position, confidence = position.isel(individual=0), confidence.isel(individual=0)
    points = np.asarray(position.transpose("time", "keypoint", "space").values, dtype=float)
    conf = np.asarray(confidence.transpose("time", "keypoint").values, dtype=float)
    frame_numbers = np.asarray(poses["frame"].values, dtype=int)
    lookup = {int(f): i for i, f in enumerate(frame_numbers)}
    width_measured = float(poses.attrs.get("frame_width", props.width))
    others = _others_by_frame(people, analysis)
    freezes = {
        index: (title, message)
        for index, title, message in choose_freeze_frames(analysis, marks, CALLOUT_S)
    }
    hold = max(1, round(CALLOUT_S * float(props.fps)))
    callout: tuple[str, str] | None = None
    shown = 0  # frames the current callout has been on screen
    regions: list[tuple[Box, ...]] = []
    total = props.n_frames or None
    with VideoWriter(path, props.fps) as writer:
        for done, frame in enumerate(iter_frames(video, max_side=max(out_w, out_h), slowmo=slowmo)):
            image = frame.image
            if image.shape[1] != out_w or image.shape[0] != out_h:
                import cv2

                image = cv2.resize(image, (out_w, out_h), interpolation=cv2.INTER_AREA)
            k = lookup.get(frame.index)
            if k is not None and k in freezes:
                callout, shown = freezes[k], 0
            if shown >= hold:
                callout = None
            shown += 1
            boxes: tuple[Box, ...] = ()
            if k is not None:
                scale = out_w / width_measured
                around = others.get(frame.index, ())
                image, boxes = _annotate(image, k, marks, points[k], conf[k], scale, around,
                                         callout)  # fmt: skip
            elif callout is not None:  # no body in this frame: the callout alone
                size = (image.shape[1], image.shape[0])
                placed = arrange_labels(freeze_labels(size, *callout), size)
                image, boxes = draw_labels(image, placed), text_regions(placed, size)
            writer.write(np.ascontiguousarray(image))
            regions.append(boxes)
            if progress is not None:
                progress(done + 1, total)
    layer = TextLayer(float(props.fps), (out_w, out_h), tuple(regions))
    save_json(layer.to_dict(), text_layer_path(path))
    return path


def _annotate(
    image: np.ndarray,
    index: int,
    marks: FrameMarks,
    points: np.ndarray,
    confidence: np.ndarray,
    scale: float,
    others: list[tuple[str, np.ndarray, np.ndarray]] | tuple[()],
    callout: tuple[str, str] | None,
) -> tuple[np.ndarray, tuple[Box, ...]]:
    """Draw one frame, geometry then text; return it and the boxes its text covers."""
    size = (image.shape[1], image.shape[0])
    drawn = draw_frame_geometry(image, index, marks, points, confidence, scale, others)
    labels = plan_frame_labels(size, index, marks, points, scale, others)
    if callout is not None:
        labels = freeze_labels(size, *callout) + labels
    placed = arrange_labels(labels, size)
    return draw_labels(drawn, placed), text_regions(placed, size)


def _others_by_frame(
    people: xr.Dataset | None, analysis: Analysis
) -> dict[int, list[tuple[str, np.ndarray, np.ndarray]]]:
    """``{frame: [(label, points, confidence)]}`` of the people not analysed."""
    if people is None or people.sizes.get("individual", 1) < 2:
        return {}
    chosen = analysis.gait.person.individual if analysis.gait.person else None
    frames = np.asarray(people["frame"].values, dtype=int)
    out: dict[int, list[tuple[str, np.ndarray, np.ndarray]]] = {}
    for name in (str(n) for n in people["individual"].values):
        if name == chosen:
            continue
        one = people.sel(individual=name)
        points = np.asarray(one["position"].transpose("time", "keypoint", "space").values, float)
        conf = np.asarray(one["confidence"].transpose("time", "keypoint").values, float)
        label = f"person {track_id(name)}"
        for t in np.flatnonzero(np.isfinite(points[:, :, 0]).any(axis=1)):
            out.setdefault(int(frames[t]), []).append((label, points[t], conf[t]))
    return out
