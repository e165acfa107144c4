"""Fixture videos for the video I/O tests, written with PyAV into tmp_path."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

#: Number of bands in the frame-number barcode drawn by :func:`make_pattern`.
N_BITS = 6


def make_pattern(index: int, width: int = 160, height: int = 120) -> np.ndarray:
    """Return an RGB frame whose top half encodes ``index`` as a barcode.

    The top half holds ``N_BITS`` vertical bands, white where the bit of
    ``index`` is set and black otherwise (LSB at the left). The bottom half is
    red on the left and blue on the right, so a mirrored or rotated image is
    detectable.
    """
    image = np.zeros((height, width, 3), np.uint8)
    band = width // N_BITS
    for bit in range(N_BITS):
        if index >> bit & 1:
            image[: height // 2, bit * band : (bit + 1) * band] = 255
    image[height // 2 :, : width // 2] = (255, 0, 0)
    image[height // 2 :, width // 2 :] = (0, 0, 255)
    return image


def read_pattern(image: np.ndarray) -> int:
    """Decode the frame number drawn by :func:`make_pattern`."""
    height, width = image.shape[:2]
    band = width // N_BITS
    row = image[height // 4].astype(int).mean(axis=1)
    return sum(1 << bit for bit in range(N_BITS) if row[bit * band + band // 2] > 127)


def make_quadrants(width: int, height: int) -> np.ndarray:
    """Return an RGB image with red/green/blue/white quadrants (TL/TR/BL/BR)."""
    image = np.empty((height, width, 3), np.uint8)
    image[: height // 2, : width // 2] = (255, 0, 0)
    image[: height // 2, width // 2 :] = (0, 255, 0)
    image[height // 2 :, : width // 2] = (0, 0, 255)
    image[height // 2 :, width // 2 :] = (255, 255, 255)
    return image


def write_clip_with_pyav(
    path: Path,
    images: Sequence[np.ndarray],
    *,
    pts: Sequence[int] | None = None,
    time_base: Fraction = Fraction(1, 30),
    rotation: float | None = None,
    faststart: bool = True,
    gop: int = 10,
) -> Path:
    """Encode ``images`` with libx264 at explicit ``pts`` (ticks of time_base).

    ``rotation`` is the display rotation in degrees counter-clockwise, as PyAV
    writes and reads it (``VideoStream.set_display_rotation``).
    """
    pts = list(range(len(images))) if pts is None else list(pts)
    options = {"movflags": "+faststart"} if faststart else {}
    height, width = images[0].shape[:2]
    with av.open(str(path), "w", container_options=options) as container:
        stream = container.add_stream(
            "libx264",
            rate=1 / time_base,
            options={"crf": "12", "preset": "ultrafast", "g": str(gop)},
        )
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = time_base
        stream.time_base = time_base
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for image, tick in zip(images, pts, strict=True):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = tick
            frame.time_base = time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


class ClipFactory:
    """Writes patterned test clips into one folder; exposes the pattern helpers."""

    make_pattern = staticmethod(make_pattern)
    read_pattern = staticmethod(read_pattern)
    make_quadrants = staticmethod(make_quadrants)

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(
        self,
        name: str = "clip.mp4",
        *,
        n_frames: int = 12,
        width: int = 160,
        height: int = 120,
        **kwargs: Any,
    ) -> Path:
        """Write ``n_frames`` barcode frames; keywords go to write_clip_with_pyav."""
        images = [make_pattern(i, width, height) for i in range(n_frames)]
        return self.write_images(name, images, **kwargs)

    def write_images(self, name: str, images: Sequence[np.ndarray], **kwargs: Any) -> Path:
        """Write the given RGB images as a clip; see write_clip_with_pyav."""
        return write_clip_with_pyav(self.folder / name, images, **kwargs)


@pytest.fixture
def clips(tmp_path: Path) -> ClipFactory:
    """A :class:`ClipFactory` writing into this test's tmp_path."""
    return ClipFactory(tmp_path)
