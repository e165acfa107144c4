"""A poses dataset holding a synthetic truth's exact keypoints (no pose model)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from runform.io.poses import create_poses_dataset
from runform.synth.truth import SyntheticTruth


def create_truth_poses(
    truth: SyntheticTruth, noise_px: float = 0.0, confidence: float = 0.95, seed: int = 0
) -> xr.Dataset:
    """Build a poses dataset from the exact keypoints of a synthetic clip.

    Parameters
    ----------
    truth
        The synthetic truth.
    noise_px
        Standard deviation of Gaussian noise added to every coordinate, pixels.
    confidence
        Confidence given to every landmark, 0-1.
    seed
        Seed of the noise.

    Returns
    -------
    xarray.Dataset
        Same layout as MediaPipe output: one individual, pixel positions, the
        frame size and fps in the attributes.
    """
    rng = np.random.default_rng(seed)
    keypoints = truth.keypoints_px + rng.normal(0.0, noise_px, truth.keypoints_px.shape)
    position = keypoints.transpose(0, 2, 1)[..., None]  # (time, space, keypoint, individual)
    conf = np.full((keypoints.shape[0], keypoints.shape[1], 1), confidence)
    attrs = {
        "frame_width": truth.camera.width_px,
        "frame_height": truth.camera.height_px,
        "fps": float(truth.fps),
        "source_software": "runform.synth (exact keypoints)",
    }
    return create_poses_dataset(position, conf, truth.frame_times_s, attrs=attrs)
