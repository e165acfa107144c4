"""Write RGB frames to an H.264 MP4 file, atomically.

:class:`VideoWriter` encodes ``H×W×3`` ``uint8`` RGB frames to H.264 in an MP4
container (``yuv420p``, ``movflags=+faststart``) at an exact rational frame
rate. Frame ``i`` gets presentation time ``i / fps`` seconds exactly: the
stream time base is ``1 / fps`` and every frame's ``pts`` is set explicitly, so
a rate such as 30000/1001 survives the round trip unrounded.

The file is written under a hidden temporary name in the destination folder
and renamed onto the requested path only when the ``with`` block ends without
an exception, so readers never see a half-written video and a failed render
never destroys the previous output.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import av
import av.error
import numpy as np
from av.video.stream import VideoStream

from runform.errors import RunformError

__all__ = ["VideoWriter", "compute_even_size", "convert_fps", "write_video"]

#: File-name suffixes accepted for the output. The container is always MP4.
_MP4_SUFFIXES = frozenset({".mp4", ".m4v"})

#: Encoders that understand the x264/x265-style ``crf`` and ``preset`` options.
_CRF_CODECS = frozenset({"libx264", "libx265"})

#: Largest denominator kept when a float frame rate is turned into a fraction;
#: 1001 recovers NTSC rates such as 30000/1001 from their float value.
_MAX_FPS_DENOMINATOR = 1001


def convert_fps(fps: Fraction | float) -> Fraction:
    """Return a frame rate as an exact positive fraction.

    Parameters
    ----------
    fps
        Frames per second. A :class:`~fractions.Fraction` (or ``int``) is kept
        exactly; a ``float`` is turned into the closest fraction with a
        denominator of at most 1001, so ``30000 / 1001`` written as a float
        comes back as ``Fraction(30000, 1001)`` and ``29.97`` as ``2997/100``.

    Returns
    -------
    Fraction
        The frame rate in frames per second.

    Raises
    ------
    ValueError
        If the rate is not a finite number greater than zero.
    """
    if isinstance(fps, Fraction | int):
        rate = Fraction(fps)
    else:
        if not np.isfinite(fps):
            raise ValueError(f"fps must be a finite number, got {fps!r}")
        rate = Fraction(fps).limit_denominator(_MAX_FPS_DENOMINATOR)
    if rate <= 0:
        raise ValueError(f"fps must be greater than 0, got {fps!r}")
    return rate


def compute_even_size(width: int, height: int) -> tuple[int, int]:
    """Return the encoded size for a frame: each side rounded up to even.

    ``yuv420p`` stores chroma at half resolution, so H.264 needs even sizes.
    An odd side is padded by one pixel (see :meth:`VideoWriter.write`).

    Parameters
    ----------
    width, height
        Frame size in pixels, both at least 1.

    Returns
    -------
    tuple of int
        ``(width, height)`` in pixels, each the smallest even number not
        smaller than the input.
    """
    return width + width % 2, height + height % 2


def _check_frame(frame_rgb: np.ndarray) -> None:
    """Raise if ``frame_rgb`` is not an ``H×W×3`` ``uint8`` RGB image."""
    if not isinstance(frame_rgb, np.ndarray):
        raise TypeError(
            f"expected a numpy array of shape (H, W, 3), got {type(frame_rgb).__name__}"
        )
    if frame_rgb.ndim != 3 or frame_rgb.shape[2] != 3:
        raise ValueError(f"expected an RGB frame of shape (H, W, 3), got shape {frame_rgb.shape}")
    if frame_rgb.dtype != np.uint8:
        raise ValueError(f"expected a uint8 RGB frame, got dtype {frame_rgb.dtype}")
    if frame_rgb.shape[0] == 0 or frame_rgb.shape[1] == 0:
        raise ValueError(f"expected a non-empty frame, got shape {frame_rgb.shape}")


def _pad_to_size(frame_rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pad a frame at the right and bottom to ``width × height`` pixels.

    The new column/row repeats the edge pixels, so no dark border appears.
    """
    pad_rows = height - frame_rgb.shape[0]
    pad_cols = width - frame_rgb.shape[1]
    if pad_rows == 0 and pad_cols == 0:
        return frame_rgb
    return np.pad(frame_rgb, ((0, pad_rows), (0, pad_cols), (0, 0)), mode="edge")


def _make_partial_path(path: Path) -> Path:
    """Return a unique hidden temporary path next to ``path``."""
    return path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.partial.mp4")


class VideoWriter:
    """Context manager that encodes RGB frames to an H.264 MP4 file.

    Parameters
    ----------
    path
        Destination file; must end in ``.mp4`` or ``.m4v``. Its folder must
        exist. An existing file is replaced only when writing succeeds.
    fps
        Frame rate in frames per second; see :func:`convert_fps`. Frame ``i``
        (0-based) is shown at ``i / fps`` seconds.
    crf
        x264/x265 constant rate factor (0 = lossless, 51 = worst; 20 is
        visually near-transparent). Ignored by other encoders.
    preset
        x264/x265 speed preset (``"ultrafast"`` … ``"veryslow"``). Ignored by
        other encoders.
    codec
        FFmpeg encoder name, ``"libx264"`` by default.
    reproducible
        Encode on one thread, so the same frames always give the same bytes
        (x264's frame threads do not: the synthetic test clips differed from
        run to run, and with them what MediaPipe saw). Slower; for test
        footage, not for users' videos.

    Notes
    -----
    The frame size is fixed by the first frame written. ``yuv420p`` needs even
    sizes, so a frame with an odd width or height is padded by one column at
    the right and/or one row at the bottom that repeats the edge pixels; the
    decoded video is then up to one pixel wider/taller than the input.

    Output goes to a hidden ``.<stem>.<random>.partial.mp4`` file in the same
    folder, renamed onto ``path`` on a clean exit from the ``with`` block. If
    the block raises, the temporary file is deleted and any previous file at
    ``path`` is left untouched. Leaving the block without writing any frame
    raises :class:`ValueError` (an MP4 with no frames is not a video).

    Examples
    --------
    >>> with VideoWriter("out.mp4", Fraction(30000, 1001)) as writer:  # doctest: +SKIP
    ...     for image in images:
    ...         writer.write(image)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fps: Fraction | float,
        *,
        crf: int = 20,
        preset: str = "veryfast",
        codec: str = "libx264",
        reproducible: bool = False,
    ) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() not in _MP4_SUFFIXES:
            raise ValueError(f"expected an output path ending in .mp4 or .m4v, got {self.path}")
        self.fps = convert_fps(fps)
        self.crf = crf
        self.preset = preset
        self.codec = codec
        self.reproducible = reproducible
        self.frames_written = 0
        self._partial_path = _make_partial_path(self.path)
        self._container: Any = None
        self._stream: Any = None
        self._input_shape: tuple[int, ...] | None = None
        self._size: tuple[int, int] = (0, 0)

    def __enter__(self) -> Self:
        if not self.path.parent.is_dir():
            raise RunformError(
                f"cannot write video {self.path}: expected an existing folder, "
                f"but {self.path.parent} does not exist",
                hint="create the folder first or choose another output path",
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._abort()
            return
        if self._container is None:
            raise ValueError(f"no frames were written to {self.path}: expected at least one frame")
        try:
            self._finish()
        except BaseException:
            self._abort()
            raise
        self._partial_path.replace(self.path)

    def write(self, frame_rgb: np.ndarray) -> None:
        """Encode one frame.

        Parameters
        ----------
        frame_rgb
            ``H×W×3`` ``uint8`` RGB image. Every frame must have the shape of
            the first one.

        Raises
        ------
        ValueError
            If the frame is not ``H×W×3`` ``uint8``, or its shape differs from
            the first frame's.
        RunformError
            If the encoder fails.
        """
        _check_frame(frame_rgb)
        if self._input_shape is None:
            self._open(frame_rgb.shape[1], frame_rgb.shape[0])
            self._input_shape = frame_rgb.shape
        elif frame_rgb.shape != self._input_shape:
            raise ValueError(
                f"frame {self.frames_written} of {self.path} has shape "
                f"{frame_rgb.shape}, expected {self._input_shape} like the first "
                "frame; a video cannot change size mid-stream"
            )
        padded = _pad_to_size(frame_rgb, *self._size)
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(padded), format="rgb24")
        frame.pts = self.frames_written
        frame.time_base = self._stream.codec_context.time_base
        self._encode(frame)
        self.frames_written += 1

    def _open(self, width: int, height: int) -> None:
        """Open the temporary output file and its video stream."""
        self._size = compute_even_size(width, height)
        options = {"crf": str(self.crf), "preset": self.preset} if self.codec in _CRF_CODECS else {}
        if self.reproducible:  # x264's threads make the bytes vary from run to run
            options["threads"] = "1"
        try:
            container = av.open(
                str(self._partial_path),
                mode="w",
                format="mp4",
                container_options={"movflags": "+faststart"},
            )
        except (av.error.FFmpegError, OSError) as err:
            raise RunformError(
                f"cannot create video file {self._partial_path}: {err}",
                hint="check that the output folder is writable",
            ) from err
        self._container = container
        try:
            stream = container.add_stream(self.codec, rate=self.fps, options=options)
        except (av.error.FFmpegError, ValueError, TypeError) as err:
            raise RunformError(
                f"cannot encode {self.path}: expected an available encoder, "
                f"got codec={self.codec!r} ({err})",
                hint="use the default codec 'libx264'",
            ) from err
        if not isinstance(stream, VideoStream):
            raise RunformError(
                f"cannot encode {self.path}: expected a video encoder, "
                f"got codec={self.codec!r} ({stream.type})",
                hint="use the default codec 'libx264'",
            )
        stream.width, stream.height = self._size
        stream.pix_fmt = "yuv420p"
        time_base = 1 / self.fps
        stream.codec_context.time_base = time_base
        stream.time_base = time_base
        self._stream = stream

    def _encode(self, frame: av.VideoFrame | None) -> None:
        """Encode ``frame`` (``None`` flushes) and mux the resulting packets."""
        try:
            self._container.mux(self._stream.encode(frame))
        except av.error.FFmpegError as err:
            raise RunformError(
                f"encoding frame {self.frames_written} to {self.path} failed: {err}"
            ) from err

    def _finish(self) -> None:
        """Flush the encoder and close the file (writes the moov atom)."""
        self._encode(None)
        try:
            self._container.close()
        except (av.error.FFmpegError, OSError) as err:
            raise RunformError(f"finishing video {self.path} failed: {err}") from err
        finally:
            self._container = None

    def _abort(self) -> None:
        """Close without caring about errors and delete the temporary file."""
        if self._container is not None:
            with contextlib.suppress(Exception):
                self._container.close()
            self._container = None
        self._partial_path.unlink(missing_ok=True)


def write_video(
    path: str | os.PathLike[str],
    frames: Iterable[np.ndarray],
    fps: Fraction | float,
    *,
    crf: int = 20,
    preset: str = "veryfast",
    codec: str = "libx264",
) -> Path:
    """Write RGB frames to an H.264 MP4 file.

    Parameters
    ----------
    path
        Destination ``.mp4`` file; replaced only if writing succeeds.
    frames
        ``H×W×3`` ``uint8`` RGB images, all of the same shape. Consumed lazily.
    fps
        Frame rate in frames per second (see :func:`convert_fps`).
    crf, preset, codec
        Encoder settings, as for :class:`VideoWriter`.

    Returns
    -------
    Path
        The written file.
    """
    with VideoWriter(path, fps, crf=crf, preset=preset, codec=codec) as writer:
        for frame in frames:
            writer.write(frame)
    return writer.path
