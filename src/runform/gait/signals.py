"""Per-foot signals for contact detection, from pixel positions.

Everything is divided by the leg length, so thresholds hold at any image
size and any distance from the camera.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from runform.gait.events import EventSettings
from runform.gait.stance import compute_ground_level

FloatArray = NDArray[np.float64]


def compute_foot_low_y(position: xr.DataArray, side: str) -> FloatArray:
    """Image row of the lowest point of one foot (the lower of heel and toes), pixels."""
    heel = np.asarray(position.sel(keypoint=f"{side}_heel", space="y"), dtype=float)
    toes = np.asarray(position.sel(keypoint=f"{side}_foot_index", space="y"), dtype=float)
    return np.fmax(heel, toes)


def compute_foot_height(
    position: xr.DataArray, side: str, leg_length_px: FloatArray, settings: EventSettings
) -> FloatArray:
    """Height of the foot's lowest point above its ground, leg lengths, up positive.

    Parameters
    ----------
    position
        Pixel positions, dims ``(time, space, keypoint)``, y down.
    side
        ``"left"`` or ``"right"``.
    leg_length_px
        Per-frame leg length, pixels.
    settings
        Ground estimation parameters.
    """
    low = compute_foot_low_y(position, side)
    time = np.asarray(position["time"], dtype=float)
    ground = compute_ground_level(low, time, settings)
    return (ground - low) / leg_length_px


def compute_toe_velocity(
    position: xr.DataArray, side: str, direction: int, leg_length_px: FloatArray
) -> FloatArray:
    """Forward velocity of the toes (foot index), leg lengths per second.

    Parameters
    ----------
    position
        Pixel positions, dims ``(time, space, keypoint)``, x right.
    side
        ``"left"`` or ``"right"``.
    direction
        +1 moving right on screen, -1 moving left.
    leg_length_px
        Per-frame leg length, pixels.

    Returns
    -------
    numpy.ndarray
        Leg lengths per second, positive in the direction of travel.
    """
    x = np.asarray(position.sel(keypoint=f"{side}_foot_index", space="x"), dtype=float)
    time = np.asarray(position["time"], dtype=float)
    if x.size < 2:
        return np.full(x.shape, np.nan)
    return direction * np.gradient(x, time) / leg_length_px


def compute_foot_slide_velocity(
    position: xr.DataArray, side: str, direction: int, leg_length_px: FloatArray
) -> FloatArray:
    """Forward velocity of the heel and of the toes from each frame to the next.

    A planted foot does not move over the ground between one frame and the
    next; a foot still sliding forward has not landed, however low it is.
    The forward difference (not the central one) is what makes the frame
    where a foot is first planted read zero: a central difference would
    still include the motion of the frame before it.

    Parameters
    ----------
    position
        Pixel positions, dims ``(time, space, keypoint)``, x right.
    side
        ``"left"`` or ``"right"``.
    direction
        +1 moving right on screen, -1 moving left.
    leg_length_px
        Per-frame leg length, pixels.

    Returns
    -------
    numpy.ndarray
        Shape ``(time, 2)``: heel, toes; leg lengths per second, positive in
        the direction of travel; the last frame is NaN.
    """
    keypoints = [f"{side}_heel", f"{side}_foot_index"]
    x = np.asarray(position.sel(keypoint=keypoints, space="x").transpose("time", ...), dtype=float)
    time = np.asarray(position["time"], dtype=float)
    out = np.full(x.shape, np.nan)
    if x.shape[0] >= 2:
        out[:-1] = np.diff(x, axis=0) / np.diff(time)[:, None]
    return direction * out / leg_length_px[:, None]


def compute_foot_rise_velocity(
    position: xr.DataArray, side: str, leg_length_px: FloatArray
) -> FloatArray:
    """Upward image velocity of the foot's lowest point, leg lengths per second.

    Stands in for the toes' forward velocity in front and rear views, where
    travel is along the camera axis: a planted foot keeps its image height,
    while a swinging foot comes toward or goes away from the camera and so
    moves up or down in the image (perspective) even near the ground.

    Parameters
    ----------
    position
        Pixel positions, dims ``(time, space, keypoint)``, y down.
    side
        ``"left"`` or ``"right"``.
    leg_length_px
        Per-frame leg length, pixels.

    Returns
    -------
    numpy.ndarray
        Leg lengths per second, up positive.
    """
    low = compute_foot_low_y(position, side)
    time = np.asarray(position["time"], dtype=float)
    if low.size < 2:
        return np.full(low.shape, np.nan)
    return -np.gradient(low, time) / leg_length_px
