"""The leg nearer the camera in a side view, and the far leg's lower weight.

:func:`estimate_near_side` takes the side from the direction of travel and
checks it against the legs' visibility and world depth;
:func:`downweight_far_leg` lowers the far leg's confidence.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import xarray as xr

from runform.io.poses import append_log, validate_poses
from runform.processing.leg_access import _side_names
from runform.processing.legswap import LEG_CHAIN

__all__ = ["FAR_LEG", "downweight_far_leg", "estimate_near_side"]

FAR_LEG: Final = ("hip", "knee", "ankle", "heel", "foot_index")
"""Keypoints of one side that :func:`downweight_far_leg` scales."""

_SIDES: Final = ("left", "right")
_VIS_MARGIN: Final = 0.1  # near-far visibility difference that counts as sure
_DEPTH_MARGIN_M: Final = 0.05  # far-near world depth difference that counts as sure


def estimate_near_side(ds: xr.Dataset, direction: int) -> tuple[str, float]:
    """Say which leg is nearer the camera in a side view.

    A runner moving right on screen shows the camera the right side
    (``direction=+1`` gives ``"right"``, ``-1`` gives ``"left"``). The
    landmarks confirm it: the near leg's knee, ankle, heel and foot index are
    usually more visible, and (with ``world_position``) nearer in depth.

    Parameters
    ----------
    ds
        A poses dataset (all individuals pooled).
    direction
        On-screen direction of travel: ``+1`` right, ``-1`` left.

    Returns
    -------
    tuple of (str, float)
        The near side from the geometry, and a confidence in 0-1: 0.65 with
        no landmark evidence, up to 1 when the landmarks agree clearly, down
        to 0.3 when they clearly disagree (for example a mirrored video).

    Raises
    ------
    ValueError
        If ``direction`` is not +1 or -1.
    """
    validate_poses(ds)
    if direction not in (1, -1):
        raise ValueError(f"Expected direction +1 (right) or -1 (left), got {direction!r}.")
    near = "right" if direction > 0 else "left"
    far = "left" if near == "right" else "right"
    cues = [_visibility_cue(ds, near, far)]
    if "world_position" in ds:
        cues.append(_depth_cue(ds, near, far))
    finite = [cue for cue in cues if np.isfinite(cue)]
    agreement = float(np.clip(np.mean(finite), -1.0, 1.0)) if finite else 0.0
    return near, round(0.65 + 0.35 * agreement, 3)


def downweight_far_leg(ds: xr.Dataset, near_side: str, factor: float = 0.5) -> xr.Dataset:
    """Multiply the far leg's confidence by ``factor``.

    The far (occluded) leg's heel and toe are often placed badly in side
    view; lowering their confidence lets later weighted steps trust them
    less.

    Parameters
    ----------
    ds
        A poses dataset.
    near_side
        ``"left"`` or ``"right"``, e.g. from :func:`estimate_near_side`.
    factor
        Multiplier in 0-1 for the far side's hip, knee, ankle, heel and foot
        index (:data:`FAR_LEG`).

    Returns
    -------
    xarray.Dataset
        A new dataset with the far leg's ``confidence`` scaled, logged.

    Raises
    ------
    ValueError
        If ``near_side`` or ``factor`` is out of range.
    """
    validate_poses(ds)
    if near_side not in _SIDES:
        raise ValueError(f"Expected near_side 'left' or 'right', got {near_side!r}.")
    if not 0.0 <= factor <= 1.0:
        raise ValueError(f"Expected factor in [0, 1], got {factor!r}.")
    far = "left" if near_side == "right" else "right"
    names = [f"{far}_{part}" for part in FAR_LEG]
    weight = xr.DataArray(
        np.where(np.isin(ds["keypoint"].values, names), factor, 1.0).astype(np.float32),
        dims="keypoint",
    )
    out = ds.copy()
    out["confidence"] = (ds["confidence"] * weight).astype(ds["confidence"].dtype)
    out["confidence"].attrs = ds["confidence"].attrs
    return append_log(
        out, "downweight_far_leg", near_side=near_side, far_side=far, factor=factor, keypoints=names
    )


def _visibility_cue(ds: xr.Dataset, near: str, far: str) -> float:
    """Near-minus-far leg visibility over ``_VIS_MARGIN``, or NaN."""
    conf = ds["confidence"]
    near_vis = conf.sel(keypoint=_side_names(LEG_CHAIN)[0 if near == "left" else 1])
    far_vis = conf.sel(keypoint=_side_names(LEG_CHAIN)[0 if far == "left" else 1])
    diff = near_vis.values.astype(np.float64) - far_vis.values.astype(np.float64)
    if not np.isfinite(diff).any():
        return float("nan")
    return float(np.nanmean(diff)) / _VIS_MARGIN


def _depth_cue(ds: xr.Dataset, near: str, far: str) -> float:
    """Far-minus-near world depth of hips and legs over ``_DEPTH_MARGIN_M``, or NaN."""
    depth = ds["world_position"].sel(world_space="z")
    parts = ("hip", *LEG_CHAIN)
    near_z = depth.sel(keypoint=[f"{near}_{p}" for p in parts]).values.astype(np.float64)
    far_z = depth.sel(keypoint=[f"{far}_{p}" for p in parts]).values.astype(np.float64)
    diff = far_z - near_z
    if not np.isfinite(diff).any():
        return float("nan")
    return float(np.nanmedian(diff)) / _DEPTH_MARGIN_M
