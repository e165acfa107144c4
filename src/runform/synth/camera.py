"""The static side-view camera of the synthetic runner.

Orthographic projection from the world frame (metres, ``x`` along the
direction of travel, ``y`` up) to image pixels (``x`` right, ``y`` down).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Camera", "project_to_pixels"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Camera:
    """A static orthographic side-view camera.

    Pixel coordinates follow MediaPipe's convention: ``x`` to the right,
    ``y`` down, origin at the top-left *corner* of the image (pixel centres
    at half-integers), so ``x_px = x_normalised * width``.

    Attributes
    ----------
    scale_px_per_m
        Pixels per metre.
    ground_y_px
        Image row of the ground (belt surface), pixels from the top.
    origin_x_px
        Image column of world ``x = 0``.
    facing
        +1 when the runner moves right on screen, -1 when left.
    width_px, height_px
        Frame size.
    """

    scale_px_per_m: float
    ground_y_px: float
    origin_x_px: float
    facing: int
    width_px: int
    height_px: int


def project_to_pixels(world: ArrayLike, camera: Camera) -> FloatArray:
    """Map world points (metres) to image pixels.

    Parameters
    ----------
    world
        Shape ``(..., 2)``: ``x`` along the direction of travel, ``y`` up.
    camera
        Camera.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., 2)``: ``x`` right, ``y`` down, pixels.
    """
    w = np.asarray(world, dtype=float)
    x = camera.origin_x_px + camera.facing * camera.scale_px_per_m * w[..., 0]
    y = camera.ground_y_px - camera.scale_px_per_m * w[..., 1]
    return np.stack([x, y], axis=-1)
