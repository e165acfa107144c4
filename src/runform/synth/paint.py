"""Anti-aliased, shaded 2D painting primitives for the synthetic runner.

Everything paints into a float32 RGB canvas (values 0–1, shape ``H×W×3``)
in place, touching only the bounding box of the shape. Coordinates are
continuous image coordinates in pixels: ``x`` right, ``y`` down, pixel
``(row i, column j)`` covering ``[j, j+1) × [i, i+1)`` with its centre at
``(j + 0.5, i + 0.5)`` (MediaPipe's convention). Edges are anti-aliased by
analytic coverage (limbs) or by OpenCV's ``LINE_AA`` rasteriser with 1/16
pixel precision (polygons).

Shading imitates a matte body lit from the upper front: each pixel gets a
surface normal (from a cylinder model for limbs, from the distance to the
outline for polygons) and Lambert brightness against :data:`LIGHT`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "LIGHT",
    "Limb",
    "darken",
    "paint_ellipse",
    "paint_limb",
    "paint_polygon",
    "paint_polyline",
    "paint_shadow",
    "smooth_closed_curve",
]

FloatArray = NDArray[np.float64]
Image = NDArray[np.float32]

#: Direction towards the light in image axes (x right, y down, z toward the
#: camera); normalised. Light from above and slightly in front of the camera.
LIGHT = np.array([-0.25, -0.55, 0.80]) / np.linalg.norm([-0.25, -0.55, 0.80])
#: Fraction of brightness that does not depend on the surface normal.
AMBIENT = 0.50

_SHIFT = 4
_ONE = 1 << _SHIFT


@dataclass(frozen=True)
class Limb:
    """A tapered, optionally bulging capsule from ``start`` to ``end``.

    Attributes
    ----------
    start, end
        Axis end points, pixels.
    radius_start, radius_end
        Radii at the ends, pixels.
    bulge
        Extra radius (pixels) peaking at ``bulge_at`` along the axis (a
        muscle belly), zero at the ends.
    bulge_at
        Position of the bulge peak as a fraction of the axis, in (0, 1).
    """

    start: tuple[float, float]
    end: tuple[float, float]
    radius_start: float
    radius_end: float
    bulge: float = 0.0
    bulge_at: float = 0.4


def darken(color: ArrayLike, factor: float) -> FloatArray:
    """Scale an RGB colour (0–1) by ``factor``."""
    return np.clip(np.asarray(color, dtype=float) * factor, 0.0, 1.0)


def _bbox(canvas: Image, lo: FloatArray, hi: FloatArray) -> tuple[int, int, int, int] | None:
    """Integer pixel box ``(x0, y0, x1, y1)`` covering ``[lo, hi]``, clipped."""
    h, w = canvas.shape[:2]
    x0, y0 = max(int(np.floor(lo[0])) - 1, 0), max(int(np.floor(lo[1])) - 1, 0)
    x1, y1 = min(int(np.ceil(hi[0])) + 2, w), min(int(np.ceil(hi[1])) + 2, h)
    if x0 >= x1 or y0 >= y1:
        return None
    return x0, y0, x1, y1


def _pixel_grid(box: tuple[int, int, int, int]) -> tuple[FloatArray, FloatArray]:
    """Pixel-centre coordinates of a box, each of shape ``(rows, cols)``."""
    x0, y0, x1, y1 = box
    xs = np.arange(x0, x1) + 0.5
    ys = np.arange(y0, y1) + 0.5
    return np.meshgrid(xs, ys)


def _lambert(nx: FloatArray, ny: FloatArray, nz: FloatArray) -> FloatArray:
    """Brightness factor for unit normals (image axes, z toward the camera)."""
    diffuse = np.maximum(nx * LIGHT[0] + ny * LIGHT[1] + nz * LIGHT[2], 0.0)
    return AMBIENT + (1.0 - AMBIENT) * diffuse


def _composite(
    canvas: Image, box: tuple[int, int, int, int], alpha: FloatArray, color: FloatArray
) -> None:
    """Blend ``color`` (rows×cols×3) into the canvas box with coverage ``alpha``."""
    x0, y0, x1, y1 = box
    region = canvas[y0:y1, x0:x1]
    a = alpha[..., None].astype(np.float32)
    region *= 1.0 - a
    region += a * color.astype(np.float32)


def paint_limb(
    canvas: Image,
    limb: Limb,
    color: ArrayLike | Callable[[FloatArray], FloatArray],
    *,
    shading: float = 1.0,
) -> None:
    """Paint a shaded tapered capsule.

    Parameters
    ----------
    canvas
        Float32 RGB image, modified in place.
    limb
        The capsule geometry.
    color
        An RGB triple (0–1), or a function mapping the axial position
        ``u`` (0 at ``start``, 1 at ``end``; array of shape rows×cols) to
        colours of shape rows×cols×3 (for sleeves, shorts, socks).
    shading
        0 = flat colour, 1 = full cylinder shading.
    """
    a = np.asarray(limb.start, dtype=float)
    b = np.asarray(limb.end, dtype=float)
    reach = max(limb.radius_start, limb.radius_end) + limb.bulge + 1.0
    box = _bbox(canvas, np.minimum(a, b) - reach, np.maximum(a, b) + reach)
    if box is None:
        return
    px, py = _pixel_grid(box)
    axis = b - a
    length2 = max(float(axis @ axis), 1e-9)
    u = np.clip(((px - a[0]) * axis[0] + (py - a[1]) * axis[1]) / length2, 0.0, 1.0)
    dx, dy = px - (a[0] + u * axis[0]), py - (a[1] + u * axis[1])
    dist = np.hypot(dx, dy)
    radius = limb.radius_start + (limb.radius_end - limb.radius_start) * u
    if limb.bulge:
        peak = limb.bulge_at
        shape = np.where(u < peak, u / peak, (1.0 - u) / (1.0 - peak))
        radius = radius + limb.bulge * np.sin(0.5 * np.pi * np.clip(shape, 0, 1)) ** 2
    alpha = np.clip(radius - dist + 0.5, 0.0, 1.0)
    if not np.any(alpha):
        return
    r = np.maximum(radius, 1e-6)
    nx, ny = dx / r, dy / r
    nz = np.sqrt(np.clip(1.0 - nx * nx - ny * ny, 0.0, 1.0))
    light = 1.0 + shading * (_lambert(nx, ny, nz) - 1.0)
    base = (
        color(u)
        if callable(color)
        else np.broadcast_to(np.asarray(color, dtype=float), (*u.shape, 3))
    )
    _composite(canvas, box, alpha, base * light[..., None])


def _polygon_mask(points: FloatArray, box: tuple[int, int, int, int]) -> FloatArray:
    """Anti-aliased coverage (0–1) of a closed polygon inside a box."""
    x0, y0, x1, y1 = box
    mask = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
    local = np.round((points - [x0 + 0.5, y0 + 0.5]) * _ONE).astype(np.int32)
    cv2.fillPoly(mask, [local], 255, lineType=cv2.LINE_AA, shift=_SHIFT)
    return mask.astype(np.float64) / 255.0


def _outline_normals(
    alpha: FloatArray, depth_px: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Pseudo surface normals of a flat shape: rounded within ``depth_px``.

    A shape one pixel thin (clipped at the frame's edge) is drawn flat.
    """
    if min(alpha.shape) < 2:  # too thin for a gradient
        flat = np.zeros(alpha.shape)
        return flat, flat, np.ones(alpha.shape)
    inside = (alpha > 0.5).astype(np.uint8)
    dist = cv2.distanceTransform(np.pad(inside, 1), cv2.DIST_L2, 5)[1:-1, 1:-1]
    dist = cv2.GaussianBlur(dist, (0, 0), max(depth_px * 0.08, 0.6))
    gy, gx = np.gradient(dist)
    norm = np.maximum(np.hypot(gx, gy), 1e-6)
    depth = np.clip(dist / max(depth_px, 1e-6), 0.0, 1.0)
    tilt = 1.0 - depth
    nz = np.sqrt(np.clip(1.0 - tilt * tilt, 0.0, 1.0))
    # The distance grows inwards, so the outward normal is minus its gradient.
    return -gx / norm * tilt, -gy / norm * tilt, nz


def paint_polygon(
    canvas: Image,
    points: ArrayLike,
    color: ArrayLike,
    *,
    depth_px: float = 0.0,
    gradient: tuple[ArrayLike, ArrayLike, ArrayLike] | None = None,
) -> None:
    """Paint a filled anti-aliased polygon, optionally rounded and shaded.

    Parameters
    ----------
    canvas
        Float32 RGB image, modified in place.
    points
        Shape ``(K, 2)`` vertices in pixels.
    color
        RGB (0–1).
    depth_px
        Width of the rounded rim used for shading; 0 paints a flat colour.
    gradient
        Optional ``(direction, start_color, end_color)``: a linear colour
        ramp along ``direction`` (pixels) across the polygon, replacing
        ``color``.
    """
    pts = np.asarray(points, dtype=float)
    box = _bbox(canvas, pts.min(axis=0), pts.max(axis=0))
    if box is None:
        return
    alpha = _polygon_mask(pts, box)
    if not np.any(alpha):
        return
    px, py = _pixel_grid(box)
    if gradient is None:
        base = np.broadcast_to(np.asarray(color, dtype=float), (*alpha.shape, 3))
    else:
        direction, c0, c1 = (np.asarray(g, dtype=float) for g in gradient)
        proj = px * direction[0] + py * direction[1]
        lo = (pts @ direction).min()
        span = max((pts @ direction).max() - lo, 1e-6)
        t = np.clip((proj - lo) / span, 0.0, 1.0)[..., None]
        base = c0 * (1.0 - t) + c1 * t
    if depth_px > 0:
        nx, ny, nz = _outline_normals(alpha, depth_px)
        base = base * _lambert(nx, ny, nz)[..., None]
    _composite(canvas, box, alpha, base)


def paint_ellipse(
    canvas: Image,
    center: ArrayLike,
    axes: tuple[float, float],
    angle_deg: float,
    color: ArrayLike,
    *,
    depth_px: float = 0.0,
) -> None:
    """Paint a filled anti-aliased ellipse (see :func:`paint_polygon`).

    ``axes`` are the semi-axes in pixels; ``angle_deg`` rotates the first
    axis clockwise on screen (image ``y`` points down).
    """
    c = np.asarray(center, dtype=float)
    t = np.linspace(0.0, 2.0 * np.pi, 48, endpoint=False)
    a = np.radians(angle_deg)
    x, y = axes[0] * np.cos(t), axes[1] * np.sin(t)
    pts = np.stack(
        [c[0] + x * np.cos(a) - y * np.sin(a), c[1] + x * np.sin(a) + y * np.cos(a)],
        axis=-1,
    )
    paint_polygon(canvas, pts, color, depth_px=depth_px)


def paint_polyline(canvas: Image, points: ArrayLike, color: ArrayLike, width_px: float) -> None:
    """Paint an open stroke of constant width with round joins and caps."""
    pts = np.asarray(points, dtype=float)
    r = 0.5 * width_px
    for p, q in itertools.pairwise(pts):
        limb = Limb((float(p[0]), float(p[1])), (float(q[0]), float(q[1])), r, r)
        paint_limb(canvas, limb, color, shading=0.0)


def paint_shadow(
    canvas: Image, center: ArrayLike, radii: tuple[float, float], strength: float
) -> None:
    """Darken a soft elliptical patch (a contact shadow on the ground).

    Parameters
    ----------
    canvas
        Float32 RGB image, modified in place.
    center
        Patch centre, pixels.
    radii
        Gaussian radii (x, y) in pixels.
    strength
        Darkening at the centre, 0–1.
    """
    c = np.asarray(center, dtype=float)
    reach = np.array([2.5 * radii[0], 2.5 * radii[1]])
    box = _bbox(canvas, c - reach, c + reach)
    if box is None:
        return
    px, py = _pixel_grid(box)
    g = np.exp(-0.5 * (((px - c[0]) / radii[0]) ** 2 + ((py - c[1]) / radii[1]) ** 2))
    x0, y0, x1, y1 = box
    canvas[y0:y1, x0:x1] *= (1.0 - strength * g)[..., None].astype(np.float32)


def smooth_closed_curve(points: ArrayLike, iterations: int = 3) -> FloatArray:
    """Round a closed polygon by Chaikin corner cutting.

    Parameters
    ----------
    points
        Shape ``(K, 2)``, the control polygon.
    iterations
        Each doubles the vertex count.

    Returns
    -------
    numpy.ndarray
        Shape ``(K * 2**iterations, 2)``.
    """
    p = np.asarray(points, dtype=float)
    for _ in range(iterations):
        q = np.roll(p, -1, axis=0)
        p = np.stack([0.75 * p + 0.25 * q, 0.25 * p + 0.75 * q], axis=1).reshape(-1, 2)
    return p
