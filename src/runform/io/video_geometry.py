"""Pure geometry of video frames: rotation, display size and downscaling.

Sizes are in pixels; rotation angles are degrees counter-clockwise, as
FFmpeg's ``av_display_rotation_get`` and PyAV's ``VideoFrame.rotation``
report them (see :mod:`runform.io.video` for the conventions).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "compute_display_size",
    "compute_rotation_from_matrix",
    "compute_scaled_size",
    "normalize_rotation",
    "rotate_image",
]


def normalize_rotation(degrees: float) -> int:
    """Return a rotation snapped to the nearest quarter turn in ``[0, 360)``.

    Parameters
    ----------
    degrees
        Rotation in degrees, counter-clockwise; any real value (e.g. -90 or
        450). NaN (no usable rotation) counts as 0.

    Returns
    -------
    int
        0, 90, 180 or 270 degrees counter-clockwise.
    """
    if not math.isfinite(degrees):
        return 0
    return (round(degrees / 90.0) % 4) * 90


def compute_display_size(width: int, height: int, rotation_deg: int) -> tuple[int, int]:
    """Return the size of a frame after display rotation.

    Parameters
    ----------
    width, height
        Stored frame size in pixels.
    rotation_deg
        Rotation in degrees counter-clockwise; normalised with
        :func:`normalize_rotation`.

    Returns
    -------
    tuple of int
        ``(width, height)`` in pixels, swapped for a 90° or 270° rotation.
        Applying it twice gives back the input.
    """
    if normalize_rotation(rotation_deg) in (90, 270):
        return height, width
    return width, height


def compute_scaled_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """Return a size whose longest side is at most ``max_side``, same aspect.

    Never upscales. Each side is rounded to the nearest pixel and kept at
    least 1 pixel, so the aspect ratio is preserved to within one pixel.

    Parameters
    ----------
    width, height
        Input size in pixels, both at least 1.
    max_side
        Largest allowed length of the longer side in pixels (at least 1), or
        ``None`` for no limit.

    Returns
    -------
    tuple of int
        ``(width, height)`` in pixels.

    Raises
    ------
    ValueError
        If a size or ``max_side`` is smaller than 1.
    """
    if width < 1 or height < 1:
        raise ValueError(f"expected a frame size of at least 1×1, got {width}×{height}")
    if max_side is None:
        return width, height
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1 pixel, got {max_side}")
    longest = max(width, height)
    if longest <= max_side:
        return width, height
    if width >= height:
        return max_side, max(1, min(max_side, round(height * max_side / width)))
    return max(1, min(max_side, round(width * max_side / height))), max_side


def compute_rotation_from_matrix(matrix: Sequence[float]) -> float:
    """Return the rotation encoded in a display matrix, degrees CCW.

    Mirrors FFmpeg's ``av_display_rotation_get``: the matrix is the 3×3
    row-major ``[a, b, u, c, d, v, x, y, w]`` of the MP4 ``tkhd`` box / FFmpeg
    ``AV_PKT_DATA_DISPLAYMATRIX``, with ``a, b, c, d`` in 16.16 fixed point.

    Parameters
    ----------
    matrix
        Nine numbers; only ``a, b, c, d`` matter, and only their ratios.

    Returns
    -------
    float
        Angle in degrees counter-clockwise, in ``[-180, 180]``; NaN for a
        degenerate (zero-scale) matrix.
    """
    a, b, c, d = matrix[0], matrix[1], matrix[3], matrix[4]
    scale_x = math.hypot(a, c)
    scale_y = math.hypot(b, d)
    if scale_x == 0.0 or scale_y == 0.0:
        return math.nan
    return -math.degrees(math.atan2(b / scale_y, a / scale_x))


def rotate_image(image: np.ndarray, rotation_deg: int) -> np.ndarray:
    """Turn an image by its display rotation so it is shown upright.

    Parameters
    ----------
    image
        ``H×W×C`` (or ``H×W``) array as stored in the file.
    rotation_deg
        Display rotation in degrees counter-clockwise (as
        :attr:`VideoProperties.rotation_deg`).

    Returns
    -------
    numpy.ndarray
        A view (no copy), rotated counter-clockwise by ``rotation_deg``;
        ``np.rot90`` turns counter-clockwise for positive ``k``. FFmpeg's
        ``-autorotate`` does the same (rotation -90 → ``transpose=clock``).
    """
    quarter_turns = normalize_rotation(rotation_deg) // 90
    if quarter_turns == 0:
        return image
    return np.rot90(image, k=quarter_turns)
