"""Write ``people.png``: every tracked person with their id, to pick one with ``--person``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from runform.io.video import read_frames_at
from runform.report.figures import save_image
from runform.scene.runner import RunnerChoice, TrackSummary
from runform.viz.people import compose_people_sheet, draw_people, draw_person_crop

#: Most people shown as crops (all are drawn on the overview).
MAX_CROPS = 8


def _arrays(poses: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """``(time, individual, keypoint, space)`` positions and ``(time, individual, keypoint)``."""
    position = poses["position"].transpose("time", "individual", "keypoint", "space").values
    confidence = poses["confidence"].transpose("time", "individual", "keypoint").values
    return np.asarray(position, dtype=float), np.asarray(confidence, dtype=float)


def describe_track(track: TrackSummary) -> list[str]:
    """Short facts about a person for their crop."""
    moving = f"{120 * track.stride_hz:.0f} steps/min" if track.runs else "not running"
    return [f"seen {track.start_s:.1f}-{track.end_s:.1f} s ({100 * track.coverage:.0f}%)", moving]


def write_people_sheet(
    video: Path, poses: xr.Dataset, choice: RunnerChoice, path: Path, slowmo: float = 1.0
) -> Path:
    """Draw the frame with the most people, then one crop per person, and write a PNG.

    The automatic choice is drawn in green and marked ``(runner)``.
    """
    position, confidence = _arrays(poses)
    names = [str(n) for n in poses["individual"].values]
    column = {track.id: names.index(track.individual) for track in choice.tracks}
    seen = np.isfinite(position[:, :, :, 0]).any(axis=2)  # (time, individual)
    times = np.asarray(poses["time"].values, dtype=float)
    overview = int(np.argmax(seen.sum(axis=1)))
    shown = list(choice.tracks)[:MAX_CROPS]
    picks = []
    for track in shown:
        frames = np.flatnonzero(seen[:, column[track.id]])
        picks.append(int(frames[len(frames) // 2]))
    images = read_frames_at(video, [float(times[i]) for i in [overview, *picks]], slowmo=slowmo)
    width = float(poses.attrs.get("frame_width", 0)) or images[0].image.shape[1]
    scale = images[0].image.shape[1] / width
    everybody = [(t.id, position[overview, column[t.id]], confidence[overview, column[t.id]])
                 for t in choice.tracks if seen[overview, column[t.id]]]  # fmt: skip
    top = draw_people(images[0].image, everybody, choice.id, scale)
    crops = [
        draw_person_crop(frame.image, track.id, position[i, column[track.id]],
                         confidence[i, column[track.id]], describe_track(track),
                         track.id == choice.id, scale)
        for track, i, frame in zip(shown, picks, images[1:], strict=True)
    ]  # fmt: skip
    return save_image(compose_people_sheet(top, crops), path)
