"""A front or rear view of the synthetic runner, projected from its sagittal truth.

The synthetic runner is drawn from the side only. For front and rear views
its world keypoints (forward, up) get a lateral offset per keypoint (a
typical adult's half-widths, person's left positive) and are projected by a
pinhole camera at hip height looking along the direction of travel. The
gait events are the truth's: only the viewpoint changes.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from runform.io.poses import create_poses_dataset
from runform.skeleton import KEYPOINT_NAMES
from runform.synth import SyntheticTruth

#: Half-width of each keypoint from the body's midline, metres (left positive).
HALF_WIDTH_M = {
    "eye_inner": 0.015, "eye": 0.03, "eye_outer": 0.045, "ear": 0.075, "mouth": 0.025,
    "shoulder": 0.18, "elbow": 0.21, "wrist": 0.2, "pinky": 0.2, "index": 0.19,
    "thumb": 0.18, "hip": 0.1, "knee": 0.1, "ankle": 0.1, "heel": 0.1, "foot_index": 0.11,
}  # fmt: skip


def lateral_offsets() -> np.ndarray:
    """Lateral position of each of the 33 keypoints, metres, person's left positive."""
    out = np.zeros(len(KEYPOINT_NAMES))
    for i, name in enumerate(KEYPOINT_NAMES):
        for side, sign in (("left_", 1.0), ("right_", -1.0)):
            if name.startswith(side):
                out[i] = sign * HALF_WIDTH_M[name.removeprefix(side)]
    return out


def frontal_poses(
    truth: SyntheticTruth,
    facing: str,
    start_distance_m: float = 14.0,
    focal_px: float = 1400.0,
    size: tuple[int, int] = (1280, 720),
) -> xr.Dataset:
    """Poses of the runner seen from the front (coming) or the rear (going).

    On a treadmill the runner stays ``start_distance_m`` away; overground
    the runner comes toward (front) or goes away from (rear) the camera.
    """
    world = truth.keypoints_world_m  # (time, keypoint, [forward, up])
    forward = world[..., 0]
    if truth.params.setting == "treadmill":
        forward = forward - forward[:, [23, 24]].mean(axis=1, keepdims=True)
    depth = start_distance_m - forward if facing == "front" else start_distance_m - 6.0 + forward
    lateral = lateral_offsets()[None, :] * (1.0 if facing == "front" else -1.0)
    width, height = size
    x = width / 2 + focal_px * lateral / depth
    y = height * 0.45 - focal_px * (world[..., 1] - 1.0) / depth
    position = np.stack([x, y], axis=1)[..., None]  # (time, space, keypoint, individual)
    confidence = np.full((world.shape[0], world.shape[1], 1), 0.9)
    attrs = {"frame_width": width, "frame_height": height, "fps": float(truth.fps)}
    return create_poses_dataset(position, confidence, truth.frame_times_s, attrs=attrs)
