"""Write ``annotated.mp4``: the source video with the analysis drawn on it.

H.264 in MP4 (yuv420p, faststart; :class:`~runform.io.video_writer.VideoWriter`
writes to a temporary name and renames when complete) at the source frame
rate, with the same number of frames as the source, capped at 1080p. The
frames that show a focus item are held for :data:`FREEZE_S` with the
callout: the held frame replaces the following frames, so the video keeps
the source's length and timing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

from runform.checkpoints.assess import Analysis
from runform.io.video import iter_frames, probe_video
from runform.io.video_writer import VideoWriter, compute_even_size
from runform.scene.runner import track_id
from runform.viz.annotate import annotate_frame, choose_freeze_frames, draw_freeze, plan_frame_marks

#: How long a focus frame is held, seconds.
FREEZE_S = 1.2
#: Largest short side of the annotated video, pixels (1080p).
MAX_SHORT_SIDE = 1080


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
        index: (title, message) for index, title, message in choose_freeze_frames(analysis, marks)
    }
    hold = max(1, round(FREEZE_S * float(props.fps)))
    held: tuple[np.ndarray, int] | None = None
    total = props.n_frames or None
    with VideoWriter(path, props.fps) as writer:
        for done, frame in enumerate(iter_frames(video, max_side=max(out_w, out_h), slowmo=slowmo)):
            image = frame.image
            if image.shape[1] != out_w or image.shape[0] != out_h:
                import cv2

                image = cv2.resize(image, (out_w, out_h), interpolation=cv2.INTER_AREA)
            if held is not None and held[1] > 0:
                writer.write(held[0])
                held = (held[0], held[1] - 1)
            else:
                k = lookup.get(frame.index)
                if k is not None:
                    scale = out_w / width_measured
                    around = others.get(frame.index, ())
                    image = annotate_frame(image, k, marks, points[k], conf[k], scale, around)
                    if k in freezes:
                        title, message = freezes[k]
                        frozen = draw_freeze(image, title, message)
                        image, held = frozen, (frozen, hold - 1)
                writer.write(np.ascontiguousarray(image))
            if progress is not None:
                progress(done + 1, total)
    return path


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
