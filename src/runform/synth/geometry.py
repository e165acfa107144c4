"""Small planar-geometry helpers shared by the kinematics and the renderer.

Angles are in radians, counter-clockwise positive in a frame with ``x``
forward and ``y`` up (so a positive foot angle lifts the toes). Arrays of
points have shape ``(..., 2)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "compute_down_unit",
    "compute_knee_flexion",
    "compute_leg_reach",
    "rotate",
    "solve_two_link",
]

FloatArray = NDArray[np.float64]


def rotate(vectors: ArrayLike, angles: ArrayLike) -> FloatArray:
    """Rotate 2D vectors counter-clockwise.

    Parameters
    ----------
    vectors
        Shape ``(..., 2)``.
    angles
        Rotation in radians, broadcastable to ``vectors.shape[:-1]``.

    Returns
    -------
    numpy.ndarray
        Rotated vectors, shape ``broadcast(vectors[..., 0], angles) + (2,)``.
    """
    v = np.asarray(vectors, dtype=float)
    a = np.asarray(angles, dtype=float)
    c, s = np.cos(a), np.sin(a)
    x, y = v[..., 0], v[..., 1]
    return np.stack([x * c - y * s, x * s + y * c], axis=-1)


def compute_down_unit(angles: ArrayLike) -> FloatArray:
    """Return unit vectors pointing down, swung forward by ``angles``.

    Parameters
    ----------
    angles
        Radians; 0 points straight down, positive swings toward ``+x``
        (forward), ``pi/2`` points forward.

    Returns
    -------
    numpy.ndarray
        Shape ``angles.shape + (2,)``: ``(sin a, -cos a)``.
    """
    a = np.asarray(angles, dtype=float)
    return np.stack([np.sin(a), -np.cos(a)], axis=-1)


def compute_leg_reach(thigh: float, shank: float, knee_flexion: ArrayLike) -> FloatArray:
    """Hip-to-ankle distance of a two-link leg at a given knee flexion.

    Parameters
    ----------
    thigh, shank
        Segment lengths (any length unit).
    knee_flexion
        Knee flexion in radians: 0 for a straight leg.

    Returns
    -------
    numpy.ndarray
        Distance in the unit of the lengths (law of cosines).
    """
    k = np.asarray(knee_flexion, dtype=float)
    return np.sqrt(thigh**2 + shank**2 + 2.0 * thigh * shank * np.cos(k))


def compute_knee_flexion(hip: ArrayLike, knee: ArrayLike, ankle: ArrayLike) -> FloatArray:
    """Knee flexion angle from three joint positions.

    Parameters
    ----------
    hip, knee, ankle
        Points of shape ``(..., 2)``.

    Returns
    -------
    numpy.ndarray
        Radians between the thigh direction (hip→knee) and the shank
        direction (knee→ankle): 0 for a straight leg, positive when bent
        (sign-free: the model only bends the knee forward).
    """
    thigh = np.asarray(knee, dtype=float) - np.asarray(hip, dtype=float)
    shank = np.asarray(ankle, dtype=float) - np.asarray(knee, dtype=float)
    dot = np.sum(thigh * shank, axis=-1)
    cross = thigh[..., 0] * shank[..., 1] - thigh[..., 1] * shank[..., 0]
    return np.abs(np.arctan2(cross, dot))


def solve_two_link(root: ArrayLike, tip: ArrayLike, proximal: float, distal: float) -> FloatArray:
    """Middle joint of a planar two-link chain, bent toward ``+x``.

    Used for the knee (root = hip, tip = ankle): of the two mirror solutions
    the one whose middle joint lies on the forward side of the root→tip line
    (counter-clockwise from it when the tip is below the root) is returned.

    Parameters
    ----------
    root, tip
        Points of shape ``(..., 2)``.
    proximal, distal
        Link lengths (root→middle, middle→tip), in the unit of the points.

    Returns
    -------
    numpy.ndarray
        Middle-joint positions, shape ``(..., 2)``.

    Raises
    ------
    ValueError
        If a root-tip distance is outside the reachable range
        ``[|proximal - distal|, proximal + distal]`` by more than 1e-9.
    """
    r = np.asarray(root, dtype=float)
    delta = np.asarray(tip, dtype=float) - r
    dist = np.linalg.norm(delta, axis=-1)
    lo, hi = abs(proximal - distal), proximal + distal
    if np.any(dist > hi + 1e-9) or np.any(dist < lo - 1e-9):
        worst = float(dist.max() if np.any(dist > hi) else dist.min())
        raise ValueError(
            f"two-link chain cannot reach: distance {worst:.4f} outside [{lo:.4f}, {hi:.4f}]"
        )
    dist = np.clip(dist, max(lo, 1e-12), hi)
    cos_root = (proximal**2 + dist**2 - distal**2) / (2.0 * proximal * dist)
    angle = np.arccos(np.clip(cos_root, -1.0, 1.0))
    direction = delta / dist[..., None]
    return r + proximal * rotate(direction, angle)
