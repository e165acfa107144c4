"""Open a video file and read its properties without decoding pixels.

:func:`probe_video` reports a clip's standard properties (exact rational frame
rate, frame count, display size, rotation, codec, …); :func:`count_frames`
counts its packets. Every problem with the input file is raised as
:class:`~runform.errors.InputFileError` or its subclass
:class:`~runform.errors.VideoDecodeError`; no PyAV/FFmpeg exception escapes.
See :mod:`runform.io.video` for the conventions (sizes, rotation).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

import av
import av.error

from runform.errors import InputFileError, VideoDecodeError
from runform.io.mp4_matrix import Mp4ParseError, read_mp4_display_matrix
from runform.io.video_geometry import (
    compute_display_size,
    compute_rotation_from_matrix,
    normalize_rotation,
)

__all__ = ["VideoProperties", "count_frames", "probe_video"]

#: FFmpeg's internal time base (``AV_TIME_BASE``): container durations are in µs.
_AV_TIME_BASE = 1_000_000

#: Prefix of ``container.format.name`` for the ISO-BMFF (MP4/MOV) demuxer.
_MOV_FORMAT_PREFIX = "mov"

_HINT_CONVERT = "convert it to MP4, e.g. `ffmpeg -i INPUT -c:v libx264 -pix_fmt yuv420p out.mp4`"
#: Hint for a file whose frames cannot be decoded (also used when decoding).
HINT_DAMAGED = "the file is damaged; copy it again from the original source, or re-export it"
_HINT_TRUNCATED = (
    "the recording or copy was probably interrupted; copy the original file "
    "again from the camera or phone"
)


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


# --------------------------------------------------------------------------
# Opening and probing
# --------------------------------------------------------------------------


def check_input_path(path: str | os.PathLike[str]) -> Path:
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


def open_container(path: Path) -> Any:
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


def select_video_stream(container: Any, path: Path) -> Any:
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
    with open_container(path) as other:
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
    file = check_input_path(path)
    with open_container(file) as container:
        stream = select_video_stream(container, file)
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
    file = check_input_path(path)
    with open_container(file) as container:
        stream = select_video_stream(container, file)
        return _count_packets(container, stream)
