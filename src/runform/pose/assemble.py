"""Build the poses dataset from the landmarks collected during extraction.

One person: one ``individual`` (``runner``). Many: one ``individual`` per
track, linked across frames by :func:`runform.pose.tracking.link_tracks`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from runform.io.poses import create_poses_dataset
from runform.pose.accumulate import Accumulator
from runform.pose.landmarker import N_KEYPOINTS
from runform.pose.tracking import link_tracks

#: Tracks with fewer detections than this are dropped as spurious, frames.
MIN_TRACK_FRAMES = 3


def compute_in_view_rate(detected: np.ndarray) -> float:
    """Fraction of frames with a detection between the first and last detection.

    Frames before the runner enters or after they leave the picture do not
    count against the detector, so this separates "the detector lost the
    runner" from "nobody was there".

    Parameters
    ----------
    detected
        Boolean per frame.

    Returns
    -------
    float
        In 0-1; 0 when nothing was detected.
    """
    hits = np.flatnonzero(detected)
    if hits.size == 0:
        return 0.0
    return float(detected[hits[0] : hits[-1] + 1].mean())


def assemble_poses(acc: Accumulator, width: int, height: int, attrs: dict[str, Any]) -> xr.Dataset:
    """Turn collected landmarks into the poses dataset (pixels, metres).

    One person: one ``individual`` (``runner``). Many: one ``individual``
    per track (``person_0``, ``person_1``, ... in order of first appearance;
    see :func:`runform.pose.tracking.link_tracks`), tracks of fewer than
    :data:`MIN_TRACK_FRAMES` detections dropped as spurious.
    """
    if acc.crowd is not None:
        return _assemble_tracks(acc, width, height, attrs)
    normalized = np.stack(acc.normalized)  # (time, kp, 2)
    pixels = normalized * np.array([width, height], dtype=np.float32)
    position = pixels.transpose(0, 2, 1)[..., None]  # (time, space, kp, 1)
    world = np.stack(acc.world).transpose(0, 2, 1)[..., None]
    detected = ~np.isnan(normalized[:, 0, 0])
    rates = {
        "detection_rate": float(detected.mean()) if len(detected) else 0.0,
        "detection_rate_in_view": compute_in_view_rate(detected),
    }
    ds = create_poses_dataset(
        position,
        np.stack(acc.visibility)[..., None],
        np.asarray(acc.times),
        presence=np.stack(acc.presence)[..., None],
        world_position=world,
        frame=np.asarray(acc.frames),
        attrs={**attrs, **rates},
    )
    return ds.assign_coords(pts_time=("time", np.asarray(acc.pts), {"units": "s"}))


#: Runs of detections shorter than this, cut off from the rest of their track, are dropped, s.
GLIMPSE_S = 0.2
#: Detections further apart than this are in different runs, s.
_RUN_GAP_S = 0.1


def find_glimpses(detected: np.ndarray, times_s: np.ndarray) -> np.ndarray:
    """Frames of a track's short, isolated runs of detections (glimpses).

    A run is a stretch of detections less than 0.1 s apart. A run shorter
    than :data:`GLIMPSE_S`, when the track has longer ones, is most likely a
    body MediaPipe merged from two people passing each other: its frames are
    returned (boolean, like ``detected``) to be dropped.
    """
    out = np.zeros(len(detected), dtype=bool)
    frames = np.flatnonzero(detected)
    if frames.size == 0:
        return out
    breaks = np.flatnonzero(np.diff(times_s[frames]) > _RUN_GAP_S) + 1
    runs = np.split(frames, breaks)
    lengths = [times_s[r[-1]] - times_s[r[0]] for r in runs]
    if max(lengths) < GLIMPSE_S:
        return out
    for run, length in zip(runs, lengths, strict=True):
        if length < GLIMPSE_S:
            out[run] = True
    return out


def _assemble_tracks(
    acc: Accumulator, width: int, height: int, attrs: dict[str, Any]
) -> xr.Dataset:
    assert acc.crowd is not None
    size = np.array([width, height], dtype=np.float32)
    pixels = [found.normalized * size for found in acc.crowd]
    times = np.asarray(acc.times, dtype=float)
    ids = link_tracks([p.astype(float) for p in pixels], times)
    every = np.concatenate([*ids, np.zeros(0, np.int64)]).astype(np.int64)
    counts = np.bincount(every[every >= 0])
    kept = [int(i) for i in np.flatnonzero(counts >= MIN_TRACK_FRAMES)]  # first-seen order
    column = {track: k for k, track in enumerate(kept)}
    n, k = len(times), max(1, len(kept))
    position = np.full((n, 2, N_KEYPOINTS, k), np.nan, np.float32)
    world = np.full((n, 3, N_KEYPOINTS, k), np.nan, np.float32)
    visibility = np.zeros((n, N_KEYPOINTS, k), np.float32)
    presence = np.zeros((n, N_KEYPOINTS, k), np.float32)
    for t, (found, frame_ids, px) in enumerate(zip(acc.crowd, ids, pixels, strict=True)):
        for person, track in enumerate(frame_ids):
            if int(track) not in column:
                continue
            c = column[int(track)]
            position[t, :, :, c] = px[person].T
            world[t, :, :, c] = found.world[person].T
            visibility[t, :, c] = found.visibility[person]
            presence[t, :, c] = found.presence[person]
    for c in range(k):  # a glimpse inside an occlusion is a body merged with another
        glimpses = find_glimpses(np.isfinite(position[:, 0, 0, c]), times)
        position[glimpses, :, :, c] = np.nan
        world[glimpses, :, :, c] = np.nan
        visibility[glimpses, :, c] = 0.0
        presence[glimpses, :, c] = 0.0
    detected = np.isfinite(position[:, 0, 0, :]).any(axis=1)
    rates = {
        "detection_rate": float(detected.mean()) if n else 0.0,
        "detection_rate_in_view": compute_in_view_rate(np.asarray(detected)),
        "people_tracked": len(kept),
    }
    ds = create_poses_dataset(
        position, visibility, times, presence=presence, world_position=world,
        frame=np.asarray(acc.frames), individuals=[f"person_{i}" for i in range(k)],
        attrs={**attrs, **rates},
    )  # fmt: skip
    return ds.assign_coords(pts_time=("time", np.asarray(acc.pts), {"units": "s"}))
