"""Read video files: properties, and decoded RGB frames with true timestamps.

:func:`probe_video` reports a clip's standard properties (exact rational frame
rate, frame count, display size, rotation, codec, …) without decoding pixels.
:func:`iter_frames` streams decoded frames as upright ``H×W×3`` ``uint8`` RGB
arrays, each with its presentation time taken from the file's timestamps, so
variable-frame-rate phone video gets true times rather than ``i / fps``.

Conventions
-----------
Sizes are in pixels, times in seconds. ``width``/``height`` are the *display*
size, after the container's display rotation; ``coded_width``/``coded_height``
are the size of the frames as stored. Rotation angles are degrees
counter-clockwise, as FFmpeg's ``av_display_rotation_get`` and PyAV's
``VideoFrame.rotation`` report them: a phone held upright usually stores
landscape frames with a rotation of -90 (normalised here to 270), meaning the
stored image must be turned 90° clockwise to be shown upright. Pixels are
assumed square (the sample aspect ratio is not applied); display-matrix
mirroring is not applied either.

Every problem with the input file is raised as
:class:`~runform.errors.InputFileError` or its subclass
:class:`~runform.errors.VideoDecodeError`; no PyAV/FFmpeg exception escapes.
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
import warnings
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

import av
import av.error
import numpy as np
from av.video.reformatter import VideoReformatter

from runform.errors import InputFileError, VideoDecodeError
from runform.io.mp4_matrix import Mp4ParseError, read_mp4_display_matrix

__all__ = [
    "CorruptFramesWarning",
    "Frame",
    "VideoProperties",
    "compute_display_size",
    "compute_rotation_from_matrix",
    "compute_scaled_size",
    "count_frames",
    "iter_frames",
    "normalize_rotation",
    "probe_video",
    "read_frame_at",
    "read_frames_at",
    "rotate_image",
]

#: Tolerance when comparing frame times with ``start_s``/``end_s``, seconds.
_TIME_EPS_S = 1e-6

#: FFmpeg's internal time base (``AV_TIME_BASE``): container durations are in µs.
_AV_TIME_BASE = 1_000_000

#: Prefix of ``container.format.name`` for the ISO-BMFF (MP4/MOV) demuxer.
_MOV_FORMAT_PREFIX = "mov"

_HINT_CONVERT = "convert it to MP4, e.g. `ffmpeg -i INPUT -c:v libx264 -pix_fmt yuv420p out.mp4`"
_HINT_DAMAGED = "the file is damaged; copy it again from the original source, or re-export it"
_HINT_TRUNCATED = (
    "the recording or copy was probably interrupted; copy the original file "
    "again from the camera or phone"
)


class CorruptFramesWarning(RuntimeWarning):
    """Some frames of a video could not be decoded and were skipped."""


@dataclass(frozen=True)
class VideoProperties:
    """Standard properties of a video file's first video stream.

    Attributes
    ----------
    path
        The file.
    fps
        Frame rate in frames per second, exact (e.g. ``Fraction(30000, 1001)``):
        the stream's average rate, else FFmpeg's guessed rate, else its base
        (``r_frame_rate``) rate. Never rounded. For variable-frame-rate video
        it is the average; use frame timestamps for timing.
    n_frames
        Number of frames. The container's own count when it stores one (MP4,
        MOV); otherwise ``round(duration_s * fps)``, flagged by
        ``n_frames_estimated``; if the file states no duration either, the
        packets are counted (exact, see :func:`count_frames`).
    n_frames_estimated
        ``True`` when ``n_frames`` was estimated from duration × fps.
    duration_s
        Duration of the video stream in seconds (the stream's own duration,
        else the container's).
    width, height
        Display size in pixels, after rotation: a portrait phone clip is
        taller than wide here even when stored as landscape.
    coded_width, coded_height
        Size of the stored (decoded, unrotated) frames in pixels.
    rotation_deg
        Display rotation, degrees counter-clockwise, one of 0, 90, 180, 270.
        Frames from :func:`iter_frames` have it applied already.
    codec
        Decoder name, e.g. ``"h264"``, ``"hevc"``.
    pix_fmt
        Stored pixel format, e.g. ``"yuv420p"``; ``None`` when unknown.
    time_base
        Unit of the stream's timestamps, seconds per tick.
    has_audio
        Whether the file also holds an audio stream.
    size_bytes
        File size in bytes.
    metadata
        Raw container tags (``creation_time``, ``encoder``,
        ``com.apple.quicktime.*``, …) exactly as FFmpeg reports them.
    stream_metadata
        Raw tags of the video stream (``handler_name``, ``language``, …).
    """

    path: Path
    fps: Fraction
    n_frames: int
    n_frames_estimated: bool
    duration_s: float
    width: int
    height: int
    coded_width: int
    coded_height: int
    rotation_deg: int
    codec: str
    pix_fmt: str | None
    time_base: Fraction
    has_audio: bool
    size_bytes: int
    metadata: Mapping[str, str] = field(default_factory=dict, compare=False)
    stream_metadata: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded video frame.

    Attributes
    ----------
    index
        0-based position among the frames yielded by this iteration.
    time_s
        Real-world time in seconds: presentation time relative to the video
        stream's first frame, divided by the slow-motion factor.
    pts_time_s
        Raw presentation time in the file, seconds (``pts × time_base``).
    image
        ``H×W×3`` ``uint8`` RGB, C-contiguous, upright (rotation applied),
        downscaled if requested.
    """

    index: int
    time_s: float
    pts_time_s: float
    image: np.ndarray


# --------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------


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
        ``H×W×C`` array as stored in the file.
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


# --------------------------------------------------------------------------
# Opening and probing
# --------------------------------------------------------------------------


def _check_input_path(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a Path after checking it names a non-empty file."""
    file = Path(path)
    if not file.exists():
        raise InputFileError(
            f"video file not found: expected an existing file, got {file}",
            hint="check the path and the current folder",
        )
    if file.is_dir():
        raise InputFileError(
            f"expected a video file, got a folder: {file}",
            hint="pass the path of a video file inside it",
        )
    if file.stat().st_size == 0:
        raise InputFileError(
            f"expected a video file, got an empty (0-byte) file: {file}",
            hint=_HINT_TRUNCATED,
        )
    return file


def _looks_like_mp4(path: Path) -> bool:
    """Return whether the file starts with an ISO-BMFF ``ftyp`` box."""
    try:
        with path.open("rb") as fh:
            return fh.read(8)[4:8] == b"ftyp"
    except OSError:
        return False


def _open_container(path: Path) -> Any:
    """Open ``path`` with PyAV, raising our errors for unreadable files."""
    try:
        return av.open(str(path), mode="r")
    except PermissionError as err:
        raise InputFileError(
            f"cannot read video file {path}: permission denied",
            hint="check the file's permissions",
        ) from err
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as err:
        if _looks_like_mp4(path):
            raise VideoDecodeError(
                f"{path} starts like an MP4/MOV file but could not be opened; "
                "expected a complete file with its index ('moov' atom), "
                f"got a truncated or damaged one ({err})",
                hint=_HINT_TRUNCATED,
            ) from err
        raise InputFileError(
            f"expected a video file FFmpeg can read, got {path} "
            f"({path.stat().st_size} bytes) which is not a recognised video "
            f"format ({err})",
            hint=_HINT_CONVERT,
        ) from err


def _describe_streams(container: Any) -> str:
    """Return e.g. ``"1 audio stream"`` or ``"no streams at all"``."""
    counts: dict[str, int] = {}
    for stream in container.streams:
        kind = "cover-art image" if stream.type == "video" else stream.type
        counts[kind] = counts.get(kind, 0) + 1
    if not counts:
        return "no streams at all"
    return " and ".join(f"{n} {kind} stream{'s' if n > 1 else ''}" for kind, n in counts.items())


def _select_video_stream(container: Any, path: Path) -> Any:
    """Return the first real video stream (cover art does not count)."""
    attached_pic = av.stream.Disposition.attached_pic
    for stream in container.streams.video:
        if not stream.disposition & attached_pic:
            return stream
    raise InputFileError(
        f"expected a file with a video stream, got {path} with {_describe_streams(container)}",
        hint="pass the video itself, not an audio file or a still image",
    )


def _read_fps(stream: Any, path: Path) -> Fraction:
    """Return the stream's frame rate as an exact fraction."""
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate is not None and rate > 0:
            return Fraction(rate)
    raise VideoDecodeError(
        f"cannot tell the frame rate of {path}: expected a video stream with "
        "timing information, got none",
        hint=_HINT_CONVERT,
    )


def _read_duration_s(stream: Any, container: Any) -> float | None:
    """Return the video stream's duration in seconds, if the file states it."""
    if stream.duration is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        return float(Fraction(container.duration, _AV_TIME_BASE))
    return None


def _count_packets(container: Any, stream: Any) -> int:
    """Count the stream's packets by demuxing (no decoding)."""
    total = 0
    try:
        for packet in container.demux(stream):
            if packet.size > 0:
                total += 1
    except (av.error.FFmpegError, OSError):
        pass
    return total


def _read_first_frame_rotation(container: Any, stream: Any) -> float:
    """Decode frames until the first one and return its display rotation."""
    try:
        for frame in container.decode(stream):
            return float(frame.rotation)
    except (av.error.FFmpegError, OSError):
        pass
    return 0.0


def _read_rotation_deg(path: Path, container: Any, stream: Any) -> int:
    """Return the stream's display rotation, degrees CCW in {0, 90, 180, 270}.

    MP4/MOV files are read directly from the ``tkhd`` box (no decoding; PyAV
    does not expose stream side data). For other containers, or a box
    structure that cannot be followed, the first frame is decoded and its
    display-matrix side data used; this needs a separately opened container.
    """
    if container.format.name.startswith(_MOV_FORMAT_PREFIX):
        try:
            matrix = read_mp4_display_matrix(path, stream.id)
            return normalize_rotation(compute_rotation_from_matrix(matrix))
        except (Mp4ParseError, struct.error, OSError, IndexError):
            pass
    with _open_container(path) as other:
        other_stream = other.streams[stream.index]
        return normalize_rotation(_read_first_frame_rotation(other, other_stream))


def _read_frame_count(stream: Any, container: Any, fps: Fraction) -> tuple[int, bool, float]:
    """Return ``(n_frames, estimated, duration_s)`` for the stream."""
    duration_s = _read_duration_s(stream, container)
    if stream.frames > 0:
        n_frames = int(stream.frames)
        return n_frames, False, duration_s or float(n_frames / fps)
    if duration_s is not None:
        return max(1, round(duration_s * fps)), True, duration_s
    n_frames = _count_packets(container, stream)
    return n_frames, False, float(n_frames / fps)


def _build_properties(path: Path, container: Any, stream: Any) -> VideoProperties:
    """Collect :class:`VideoProperties` from an open container."""
    ctx = stream.codec_context
    fps = _read_fps(stream, path)
    rotation = _read_rotation_deg(path, container, stream)
    width, height = compute_display_size(ctx.width, ctx.height, rotation)
    if width < 1 or height < 1:
        raise VideoDecodeError(
            f"expected a video stream with a frame size, got {ctx.width}×{ctx.height} in {path}",
            hint=_HINT_CONVERT,
        )
    n_frames, estimated, duration_s = _read_frame_count(stream, container, fps)
    return VideoProperties(
        path=path,
        fps=fps,
        n_frames=n_frames,
        n_frames_estimated=estimated,
        duration_s=duration_s,
        width=width,
        height=height,
        coded_width=ctx.width,
        coded_height=ctx.height,
        rotation_deg=rotation,
        codec=ctx.name,
        pix_fmt=ctx.pix_fmt,
        time_base=Fraction(stream.time_base),
        has_audio=len(container.streams.audio) > 0,
        size_bytes=path.stat().st_size,
        metadata=MappingProxyType(dict(container.metadata)),
        stream_metadata=MappingProxyType(dict(stream.metadata)),
    )


def probe_video(path: str | os.PathLike[str]) -> VideoProperties:
    """Read a video's properties without decoding any frame.

    Parameters
    ----------
    path
        Video file (MP4/MOV from a phone, or anything FFmpeg reads).

    Returns
    -------
    VideoProperties
        Properties of the first video stream (cover art is skipped).

    Raises
    ------
    InputFileError
        The file is missing, a folder, empty, not a video, or has no video
        stream.
    VideoDecodeError
        The file is a truncated/damaged MP4 (no ``moov`` atom) or states no
        usable frame rate or size.

    Notes
    -----
    For MP4/MOV the display rotation is read from the track header. For other
    containers it can only be read from a decoded frame, so one frame is
    decoded.
    """
    file = _check_input_path(path)
    with _open_container(file) as container:
        stream = _select_video_stream(container, file)
        return _build_properties(file, container, stream)


def count_frames(path: str | os.PathLike[str]) -> int:
    """Count a video's frames exactly by reading every packet (no decoding).

    Slower than :attr:`VideoProperties.n_frames` (it reads the whole file)
    but independent of the container's stated count. One packet is one frame
    for the usual codecs (H.264, HEVC, VP9, AV1); corrupt packets count too.

    Parameters
    ----------
    path
        Video file.

    Returns
    -------
    int
        Number of non-empty packets in the first video stream.

    Raises
    ------
    InputFileError
        As :func:`probe_video`.
    """
    file = _check_input_path(path)
    with _open_container(file) as container:
        stream = _select_video_stream(container, file)
        return _count_packets(container, stream)


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------


@dataclass
class _DecodeTally:
    """Counts kept while decoding one stream (local to one iteration)."""

    decoded: int = 0
    skipped: int = 0
    stop_reason: str | None = None


def _decode_packets(container: Any, stream: Any, tally: _DecodeTally) -> Iterator[Any]:
    """Yield decoded frames, skipping (and counting) undecodable ones."""
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except (av.error.FFmpegError, OSError) as err:
            tally.stop_reason = str(err)
            yield from _flush_decoder(stream, tally)
            return
        try:
            frames = packet.decode()
        except av.error.FFmpegError:
            tally.skipped += 1
            continue
        yield from _keep_intact(frames, tally)


def _flush_decoder(stream: Any, tally: _DecodeTally) -> Iterator[Any]:
    """Drain frames still buffered in the decoder after a demuxing error."""
    try:
        frames = stream.decode(None)
    except av.error.FFmpegError:
        return
    yield from _keep_intact(frames, tally)


def _keep_intact(frames: Sequence[Any], tally: _DecodeTally) -> Iterator[Any]:
    """Yield the frames the decoder did not flag as corrupt."""
    for frame in frames:
        if frame.is_corrupt:
            tally.skipped += 1
            continue
        tally.decoded += 1
        yield frame


def _convert_image(
    frame: Any, reformatter: VideoReformatter, max_side: int | None, rotation_deg: int
) -> np.ndarray:
    """Return an upright, downscaled, C-contiguous RGB copy of ``frame``.

    Scaling and YUV→RGB conversion happen in one libswscale call; the only
    copy made in numpy is the final ``ascontiguousarray`` (needed anyway to
    drop row padding or to materialise the rotation).
    """
    display_w, display_h = compute_display_size(frame.width, frame.height, rotation_deg)
    scaled_w, scaled_h = compute_scaled_size(display_w, display_h, max_side)
    target_w, target_h = compute_display_size(scaled_w, scaled_h, rotation_deg)
    rgb = reformatter.reformat(
        frame,
        width=target_w,
        height=target_h,
        format="rgb24",
        src_color_range=frame.color_range,
    )
    image = rotate_image(rgb.to_ndarray(), rotation_deg)
    if rgb is frame:
        # No conversion was needed: the array is a view of the decoder's own
        # buffer, which must not be handed out (or written to).
        return np.array(image, order="C", copy=True)
    return np.ascontiguousarray(image)


def _seek_to(container: Any, stream: Any, target_pts: int) -> None:
    """Seek to the keyframe at or before ``target_pts`` (stream ticks).

    A failed seek is ignored: decoding then starts from the beginning and the
    frames before the target are dropped by time instead.
    """
    with contextlib.suppress(av.error.FFmpegError, OSError):
        container.seek(target_pts, stream=stream, backward=True, any_frame=False)


def _warn_if_damaged(path: Path, tally: _DecodeTally) -> None:
    """Emit one :class:`CorruptFramesWarning` summarising decode problems."""
    parts = []
    if tally.skipped:
        parts.append(f"skipped {tally.skipped} corrupt frame(s)")
    if tally.stop_reason is not None:
        parts.append(f"stopped early at a damaged part of the file ({tally.stop_reason})")
    if parts:
        warnings.warn(
            f"{path}: {' and '.join(parts)}; the other {tally.decoded} frame(s) "
            "were decoded normally",
            CorruptFramesWarning,
            stacklevel=3,
        )


def _raise_if_nothing_decoded(props: VideoProperties, tally: _DecodeTally) -> None:
    """Raise :class:`VideoDecodeError` if not a single frame decoded."""
    if tally.decoded > 0:
        return
    if tally.skipped or tally.stop_reason:
        got = f"{tally.skipped} undecodable frame(s)"
        if tally.stop_reason:
            got += f" and a read error ({tally.stop_reason})"
    else:
        got = "no frames at all"
    raise VideoDecodeError(
        f"expected decodable video frames in {props.path} ({props.codec}, "
        f"{props.n_frames} frame(s) stated), got {got}",
        hint=_HINT_DAMAGED,
    )


def _resolve_pts(pts: int | None, previous: int | None, step: int) -> int:
    """Return a frame's pts, extrapolating by one frame step when it is missing.

    Only streams without timestamps (raw H.264 elementary streams) need this.
    """
    if pts is not None:
        return pts
    return 0 if previous is None else previous + step


def _generate_frames(
    props: VideoProperties,
    max_side: int | None,
    slowmo: float,
    start_s: float | None,
    end_s: float | None,
) -> Generator[Frame, None, None]:
    """Decode and yield frames; see :func:`iter_frames`."""
    tally = _DecodeTally()
    time_base = props.time_base
    step = max(1, round(1 / (props.fps * time_base)))
    with _open_container(props.path) as container:
        stream = _select_video_stream(container, props.path)
        stream.thread_type = "AUTO"
        origin_pts = stream.start_time
        if start_s is not None and start_s > 0 and origin_pts is not None:
            _seek_to(container, stream, origin_pts + math.floor(start_s * slowmo / time_base))
        reformatter = VideoReformatter()
        index = 0
        pts: int | None = None
        try:
            for av_frame in _decode_packets(container, stream, tally):
                pts = _resolve_pts(av_frame.pts, pts, step)
                if origin_pts is None:
                    origin_pts = pts
                time_s = float((pts - origin_pts) * time_base) / slowmo
                if start_s is not None and time_s < start_s - _TIME_EPS_S:
                    continue
                if end_s is not None and time_s >= end_s - _TIME_EPS_S:
                    break
                image = _convert_image(av_frame, reformatter, max_side, props.rotation_deg)
                yield Frame(index, time_s, float(pts * time_base), image)
                index += 1
        finally:
            if tally.decoded > 0:
                _warn_if_damaged(props.path, tally)
    _raise_if_nothing_decoded(props, tally)


def _check_iter_arguments(
    max_side: int | None, slowmo: float, start_s: float | None, end_s: float | None
) -> None:
    """Validate :func:`iter_frames` arguments."""
    if max_side is not None and max_side < 1:
        raise ValueError(f"max_side must be at least 1 pixel or None, got {max_side}")
    if not (math.isfinite(slowmo) and slowmo > 0):
        raise ValueError(
            f"slowmo must be a finite factor > 0 (e.g. 4 for 120 fps shown at 30 fps), got {slowmo}"
        )
    if start_s is not None and end_s is not None and end_s < start_s:
        raise ValueError(f"end_s ({end_s} s) must not be before start_s ({start_s} s)")


def iter_frames(
    path: str | os.PathLike[str],
    *,
    max_side: int | None = None,
    slowmo: float = 1.0,
    start_s: float | None = None,
    end_s: float | None = None,
) -> Generator[Frame, None, None]:
    """Stream a video's frames as upright RGB images with real-world times.

    Frames are decoded one at a time (the video is never held in memory).
    Times come from each frame's presentation timestamp, never from
    ``index / fps``, so variable-frame-rate video is timed correctly.

    Parameters
    ----------
    path
        Video file.
    max_side
        If given, frames are downscaled inside FFmpeg so that the longer
        *display* side is at most this many pixels, keeping the aspect ratio
        (see :func:`compute_scaled_size`). Never upscales.
    slowmo
        Slow-motion factor, > 0: 4 for a 120 fps recording played back at
        30 fps. Frame times are divided by it, giving real-world seconds.
    start_s, end_s
        Keep only frames with ``start_s <= time_s < end_s``, in the same
        real-world seconds as :attr:`Frame.time_s`. ``start_s`` seeks to the
        preceding keyframe first, so skipping ahead is cheap.

    Yields
    ------
    Frame
        In presentation order; ``index`` counts from 0 among yielded frames.

    Raises
    ------
    ValueError
        If ``slowmo`` is not > 0, ``max_side`` < 1, or ``end_s < start_s``.
    InputFileError
        Raised immediately (not on first iteration) for a missing, empty or
        non-video file, as :func:`probe_video`.
    VideoDecodeError
        After iteration, if not a single frame of the file could be decoded.

    Warns
    -----
    CorruptFramesWarning
        Once, at the end, if frames were skipped because they could not be
        decoded or the file ended in damaged data.
    """
    _check_iter_arguments(max_side, slowmo, start_s, end_s)
    props = probe_video(path)
    return _generate_frames(props, max_side, slowmo, start_s, end_s)


#: Times closer than this are read in one pass of decoding rather than one seek each, s.
SEQUENTIAL_GAP_S = 2.0


def _gap(times_s: Sequence[float], order: Sequence[int], i: int) -> float:
    return times_s[order[i]] - times_s[order[i - 1]]


def read_frames_at(
    path: str | os.PathLike[str],
    times_s: Sequence[float],
    *,
    max_side: int | None = None,
    slowmo: float = 1.0,
) -> list[Frame]:
    """Return the first frame at or after each of several times, like :func:`read_frame_at`.

    Times within :data:`SEQUENTIAL_GAP_S` of each other are read in one pass
    (one seek, then decoding forward), which is much cheaper than a seek per
    time: every seek decodes again from the previous key frame.

    Parameters
    ----------
    path
        Video file.
    times_s
        Real-world times in seconds from the first frame, in any order.
    max_side, slowmo
        As :func:`iter_frames`.

    Returns
    -------
    list of Frame
        One frame per time, in the order of ``times_s``.

    Raises
    ------
    ValueError
        If a time is after the last frame.
    InputFileError
        As :func:`iter_frames`.
    """
    order = sorted(range(len(times_s)), key=lambda i: times_s[i])
    found: dict[int, Frame] = {}
    start = 0
    while start < len(order):
        stop = start + 1
        while stop < len(order) and _gap(times_s, order, stop) <= SEQUENTIAL_GAP_S:
            stop += 1
        wanted = order[start:stop]
        frames = iter_frames(path, max_side=max_side, slowmo=slowmo, start_s=times_s[wanted[0]])
        try:
            for frame in frames:
                while wanted and frame.time_s >= times_s[wanted[0]]:
                    found[wanted.pop(0)] = frame
                if not wanted:
                    break
        finally:
            frames.close()
        if wanted:
            raise ValueError(f"no frame at or after {times_s[wanted[0]]} s in {path}")
        start = stop
    return [found[i] for i in range(len(times_s))]


def read_frame_at(
    path: str | os.PathLike[str],
    time_s: float,
    *,
    max_side: int | None = None,
    slowmo: float = 1.0,
) -> Frame:
    """Return the first frame at or after a given time.

    Parameters
    ----------
    path
        Video file.
    time_s
        Real-world time in seconds from the first frame (as
        :attr:`Frame.time_s`).
    max_side, slowmo
        As :func:`iter_frames`.

    Returns
    -------
    Frame
        The first frame with ``frame.time_s >= time_s``; its ``index`` is 0.

    Raises
    ------
    ValueError
        If ``time_s`` is after the last frame.
    InputFileError
        As :func:`iter_frames`.
    """
    frames = iter_frames(path, max_side=max_side, slowmo=slowmo, start_s=time_s)
    try:
        return next(frames)
    except StopIteration:
        raise ValueError(f"no frame at or after {time_s} s in {path}") from None
    finally:
        frames.close()
