"""The side-view camera of the synthetic runner.

Orthographic projection from the world frame (metres, ``x`` along the
direction of travel, ``y`` up) to image pixels (``x`` right, ``y`` down).
The camera is static (overground, treadmill) or pans horizontally to follow
the runner (a tracking shot): then the image column of world ``x = 0``
changes with time, see :meth:`Camera.origin_x_at`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Camera", "project_to_pixels"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Camera:
    """An orthographic side-view camera, static or panning horizontally.

    Pixel coordinates follow MediaPipe's convention: ``x`` to the right,
    ``y`` down, origin at the top-left *corner* of the image (pixel centres
    at half-integers), so ``x_px = x_normalised * width``.

    A panning camera puts world ``x = 0`` at image column
    ``origin_x_px + pan_px_per_s * t + jitter_px * sin(2 pi jitter_hz t +
    jitter_phase_rad)`` (see :meth:`origin_x_at`); everything fixed in the
    world, the background included, moves across the image with it. The
    defaults (all zero) describe a static camera.

    Attributes
    ----------
    scale_px_per_m
        Pixels per metre.
    ground_y_px
        Image row of the ground (belt surface), pixels from the top.
    origin_x_px
        Image column of world ``x = 0`` (for a panning camera: at ``t = 0``,
        before the pan error is added).
    facing
        +1 when the runner moves right on screen, -1 when left.
    width_px, height_px
        Frame size.
    pan_px_per_s
        Steady rate of change of the image column of world ``x = 0``,
        pixels per second (image ``x`` right positive). A camera following
        a runner who moves right pans right, so this is negative.
    jitter_px
        Amplitude of a smooth sinusoidal pan error added to the origin
        column, pixels (0 for a static or perfectly locked camera).
    jitter_hz
        Frequency of the pan error, hertz.
    jitter_phase_rad
        Phase of the pan error at ``t = 0``, radians.
    """

    scale_px_per_m: float
    ground_y_px: float
    origin_x_px: float
    facing: int
    width_px: int
    height_px: int
    pan_px_per_s: float = 0.0
    jitter_px: float = 0.0
    jitter_hz: float = 0.0
    jitter_phase_rad: float = 0.0

    @property
    def is_static(self) -> bool:
        """Whether the camera never moves (no pan, no jitter)."""
        return self.pan_px_per_s == 0.0 and self.jitter_px == 0.0

    def origin_x_at(self, time_s: ArrayLike) -> FloatArray:
        """Image column of world ``x = 0`` at the given times, pixels.

        Parameters
        ----------
        time_s
            Clip times, seconds, any shape.

        Returns
        -------
        numpy.ndarray
            Same shape as ``time_s``: ``origin_x_px + pan_px_per_s * t +
            jitter_px * sin(2 pi jitter_hz t + jitter_phase_rad)``.
        """
        t = np.asarray(time_s, dtype=float)
        wobble = np.sin(2.0 * math.pi * self.jitter_hz * t + self.jitter_phase_rad)
        return np.asarray(
            self.origin_x_px + self.pan_px_per_s * t + self.jitter_px * wobble, dtype=np.float64
        )

    def pan_offset_px(self, time_s: ArrayLike) -> FloatArray:
        """How far world-fixed content has moved across the image since ``t = 0``.

        Parameters
        ----------
        time_s
            Clip times, seconds, any shape.

        Returns
        -------
        numpy.ndarray
            Same shape as ``time_s``: pixels, image ``x`` right positive (a
            camera panning right moves the background left: negative).
        """
        return self.origin_x_at(time_s) - self.origin_x_at(0.0)

    def pan_velocity_px_per_s(self, time_s: ArrayLike) -> FloatArray:
        """Velocity of world-fixed content across the image, pixels per second.

        Parameters
        ----------
        time_s
            Clip times, seconds, any shape.

        Returns
        -------
        numpy.ndarray
            The time derivative of :meth:`pan_offset_px`: image ``x`` right
            positive, so a camera panning right gives negative values.
        """
        t = np.asarray(time_s, dtype=float)
        omega = 2.0 * math.pi * self.jitter_hz
        wobble = omega * np.cos(omega * t + self.jitter_phase_rad)
        return np.asarray(self.pan_px_per_s + self.jitter_px * wobble, dtype=np.float64)


def project_to_pixels(
    world: ArrayLike, camera: Camera, time_s: ArrayLike | None = None
) -> FloatArray:
    """Map world points (metres) to image pixels.

    Parameters
    ----------
    world
        Shape ``(..., 2)``: ``x`` along the direction of travel, ``y`` up.
    camera
        Camera.
    time_s
        Times of the points, seconds, broadcastable against
        ``world.shape[:-1]`` from the left (e.g. shape ``(N,)`` for points of
        shape ``(N, K, 2)``). Required when the camera pans; ignored for a
        static camera.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., 2)``: ``x`` right, ``y`` down, pixels.

    Raises
    ------
    ValueError
        If the camera pans and ``time_s`` is not given.
    """
    w = np.asarray(world, dtype=float)
    origin: float | FloatArray = camera.origin_x_px
    if not camera.is_static:
        if time_s is None:
            raise ValueError("a panning camera needs the time of each point (time_s)")
        t = np.asarray(time_s, dtype=float)
        origin = camera.origin_x_at(t.reshape(t.shape + (1,) * (w.ndim - 1 - t.ndim)))
    x = origin + camera.facing * camera.scale_px_per_m * w[..., 0]
    y = camera.ground_y_px - camera.scale_px_per_m * w[..., 1]
    return np.stack([x, y], axis=-1)
