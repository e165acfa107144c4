"""Image-space camera effects of synthetic footage: tilt, lens distortion, light.

The runner is drawn through an ideal orthographic side-view camera
(:mod:`runform.synth.camera`). A :class:`ImageWarp` then maps that ideal
image to what a real camera records:

1. a small roll and pitch of a pinhole camera rotating about its centre,
   which moves the image by the homography ``K R K⁻¹`` (exact for any scene),
   re-aimed so the frame centre stays put (the pitch leaves its keystone, not
   a shift of the view), with a zoom just large enough that no frame border
   samples outside the drawn image;
2. barrel lens distortion ``d = c + (u - c) (1 + k1 r²) / (1 + k1)`` with
   ``r = |u - c|`` in half-diagonals: the corners stay in place, the centre
   is magnified by ``1 / (1 + k1)``.

:meth:`ImageWarp.apply` maps points forward (the truth's keypoint pixels go
through it, so they stay the pixels actually drawn); :meth:`ImageWarp.warp`
resamples a frame. Pixel coordinates are continuous, ``x`` right, ``y``
down, pixel centres at half-integers (MediaPipe's convention).

:func:`apply_light` applies brightness, contrast and a colour cast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray

from runform.synth.style import FootageStyle

__all__ = ["ImageWarp", "apply_light", "build_warp"]

FloatArray = NDArray[np.float64]

#: Zoom search: step and largest zoom tried.
_ZOOM_STEP = 0.0005
_ZOOM_MAX = 1.5
#: Border points checked per frame edge when choosing the zoom.
_BORDER_SAMPLES = 33


@dataclass(frozen=True)
class ImageWarp:
    """A rotation homography followed by barrel distortion, in pixels.

    Attributes
    ----------
    width_px, height_px
        Frame size (input and output).
    homography
        Row-major 3×3 matrix (9 numbers) mapping ideal-image points
        (homogeneous pixels) to the rotated, zoomed image.
    lens_k1
        Barrel coefficient (≤ 0) at the frame corner, dimensionless.
    """

    width_px: int
    height_px: int
    homography: tuple[float, ...]
    lens_k1: float = 0.0
    _maps: list[tuple[NDArray[np.int16], NDArray[np.uint16]]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )

    @property
    def _centre(self) -> FloatArray:
        return np.array([0.5 * self.width_px, 0.5 * self.height_px])

    @property
    def _half_diagonal(self) -> float:
        return 0.5 * math.hypot(self.width_px, self.height_px)

    def _matrix(self) -> FloatArray:
        return np.asarray(self.homography, dtype=float).reshape(3, 3)

    def apply(self, points_px: ArrayLike) -> FloatArray:
        """Map ideal-image points to recorded-image points.

        Parameters
        ----------
        points_px
            Shape ``(..., 2)``, pixels.

        Returns
        -------
        numpy.ndarray
            Same shape, pixels.
        """
        p = np.asarray(points_px, dtype=float)
        return self._distort(_homogeneous(self._matrix(), p))

    def source_of(self, points_px: ArrayLike) -> FloatArray:
        """Inverse of :meth:`apply`: where a recorded pixel comes from.

        Parameters
        ----------
        points_px
            Shape ``(..., 2)``, pixels of the recorded image.

        Returns
        -------
        numpy.ndarray
            Same shape: pixels of the ideal image.
        """
        p = np.asarray(points_px, dtype=float)
        inverse = np.asarray(np.linalg.inv(self._matrix()), dtype=np.float64)
        return _homogeneous(inverse, self._undistort(p))

    def _distort(self, p: FloatArray) -> FloatArray:
        if self.lens_k1 == 0.0:
            return p
        c, k = self._centre, self.lens_k1
        r2 = np.sum((p - c) ** 2, axis=-1, keepdims=True) / self._half_diagonal**2
        return np.asarray(c + (p - c) * (1.0 + k * r2) / (1.0 + k), dtype=np.float64)

    def _undistort(self, p: FloatArray) -> FloatArray:
        if self.lens_k1 == 0.0:
            return p
        c, k, half = self._centre, self.lens_k1, self._half_diagonal
        grid = np.linspace(0.0, 1.6, 8001)
        radius = grid * (1.0 + k * grid**2) / (1.0 + k)
        rho_d = np.linalg.norm(p - c, axis=-1) / half
        rho_u = np.interp(rho_d, radius, grid)
        ratio = np.where(rho_d > 1e-9, rho_u / np.maximum(rho_d, 1e-12), 1.0 + k)
        return np.asarray(c + (p - c) * ratio[..., None], dtype=np.float64)

    def warp(self, image: NDArray[np.float32]) -> NDArray[np.float32]:
        """Resample an ideal frame into the recorded frame (bilinear).

        Parameters
        ----------
        image
            ``H×W×C`` float32 image of this warp's frame size.

        Returns
        -------
        numpy.ndarray
            A new ``H×W×C`` float32 image; borders are reflected (the zoom
            keeps them inside the ideal image up to a fraction of a pixel).
        """
        if not self._maps:
            self._maps.append(self._build_maps())
        m1, m2 = self._maps[0]
        out = cv2.remap(image, m1, m2, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        return np.asarray(out, dtype=np.float32)

    def _build_maps(self) -> tuple[NDArray[np.int16], NDArray[np.uint16]]:
        xs = np.arange(self.width_px) + 0.5
        ys = np.arange(self.height_px) + 0.5
        grid = np.stack(np.meshgrid(xs, ys), axis=-1)
        src = self.source_of(grid) - 0.5
        m1, m2 = cv2.convertMaps(
            src[..., 0].astype(np.float32), src[..., 1].astype(np.float32), cv2.CV_16SC2
        )
        return np.asarray(m1, dtype=np.int16), np.asarray(m2, dtype=np.uint16)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields."""
        return {
            "width_px": self.width_px,
            "height_px": self.height_px,
            "homography": list(self.homography),
            "lens_k1": self.lens_k1,
        }


def _homogeneous(matrix: FloatArray, p: FloatArray) -> FloatArray:
    """Apply a 3×3 homography to points of shape ``(..., 2)``."""
    x = matrix[0, 0] * p[..., 0] + matrix[0, 1] * p[..., 1] + matrix[0, 2]
    y = matrix[1, 0] * p[..., 0] + matrix[1, 1] * p[..., 1] + matrix[1, 2]
    w = matrix[2, 0] * p[..., 0] + matrix[2, 1] * p[..., 1] + matrix[2, 2]
    return np.stack([x / w, y / w], axis=-1)


def _rotation_homography(style: FootageStyle, width: int, height: int) -> FloatArray:
    """``K Rz(roll) Rx(pitch) K⁻¹`` for a pinhole with the style's field of view."""
    f = 0.5 * width / math.tan(math.radians(style.fov_deg) / 2.0)
    cx, cy = 0.5 * width, 0.5 * height
    k = np.array([[f, 0.0, cx], [0.0, f, cy], [0.0, 0.0, 1.0]])
    a, b = math.radians(style.roll_deg), math.radians(style.pitch_deg)
    rz = np.array([[math.cos(a), -math.sin(a), 0.0], [math.sin(a), math.cos(a), 0.0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0.0, math.cos(b), -math.sin(b)], [0.0, math.sin(b), math.cos(b)]])
    matrix = k @ rz @ rx @ np.linalg.inv(k)
    # Re-aim: keep the frame centre where it was (only the rotation and the
    # keystone of the pitch remain, not its shift of the whole view).
    centre = _homogeneous(matrix, np.array([cx, cy]))
    shift = np.array([[1.0, 0.0, cx - centre[0]], [0.0, 1.0, cy - centre[1]], [0, 0, 1]])
    return np.asarray(shift @ matrix, dtype=np.float64)


def _border(width: int, height: int) -> FloatArray:
    """Points along the four frame edges, pixels."""
    t = np.linspace(0.0, 1.0, _BORDER_SAMPLES)
    w, h = float(width), float(height)
    edges = [
        np.stack([t * w, 0 * t], -1),
        np.stack([t * w, h + 0 * t], -1),
        np.stack([0 * t, t * h], -1),
        np.stack([w + 0 * t, t * h], -1),
    ]
    return np.concatenate(edges)


def build_warp(style: FootageStyle, width_px: int, height_px: int) -> ImageWarp | None:
    """Return the image warp a style asks for, or ``None`` when it has none.

    Parameters
    ----------
    style
        Footage style (``roll_deg``, ``pitch_deg``, ``fov_deg``, ``lens_k1``).
    width_px, height_px
        Frame size.

    Returns
    -------
    ImageWarp or None
        The smallest zoom (in steps of 0.0005) is chosen for which every
        border point of the recorded frame comes from inside the ideal frame
        (to within 0.5 px).
    """
    if not style.has_warp:
        return None
    rot = _rotation_homography(style, width_px, height_px)
    cx, cy = 0.5 * width_px, 0.5 * height_px
    border = _border(width_px, height_px)
    undistorted = ImageWarp(width_px, height_px, tuple(np.eye(3).ravel()), style.lens_k1)
    border = undistorted._undistort(border)
    zoom = 1.0
    while zoom < _ZOOM_MAX:
        scale = np.array([[zoom, 0.0, cx * (1 - zoom)], [0.0, zoom, cy * (1 - zoom)], [0, 0, 1]])
        matrix = scale @ rot
        src = _homogeneous(np.asarray(np.linalg.inv(matrix), dtype=np.float64), border)
        inside = (src[:, 0] >= -0.5) & (src[:, 0] <= width_px + 0.5)
        inside &= (src[:, 1] >= -0.5) & (src[:, 1] <= height_px + 0.5)
        if inside.all():
            break
        zoom += _ZOOM_STEP
    return ImageWarp(width_px, height_px, tuple(float(v) for v in matrix.ravel()), style.lens_k1)


def apply_light(image: NDArray[np.float32], style: FootageStyle) -> NDArray[np.float32]:
    """Brightness, contrast and colour cast (in place; values not clipped).

    Parameters
    ----------
    image
        ``H×W×3`` float32 RGB, 0–1.
    style
        ``out = ((in - 0.5) * contrast + 0.5 + brightness) * color_cast``.

    Returns
    -------
    numpy.ndarray
        ``image``, modified.
    """
    if not style.has_light:
        return image
    image -= 0.5
    image *= np.float32(style.contrast)
    image += np.float32(0.5 + style.brightness)
    image *= np.asarray(style.color_cast, dtype=np.float32)
    return image
