"""Decode a video's frames as upright RGB arrays with true timestamps.

:func:`iter_frames` streams decoded frames as upright ``H×W×3`` ``uint8`` RGB
arrays, each with its presentation time taken from the file's timestamps, so
variable-frame-rate phone video gets true times rather than ``i / fps``.
Frames come out in strictly increasing time: a damaged file whose decoder
gives a frame with no timestamp, a repeated one, or one earlier than the
frame before, loses that frame (it is counted in a :class:`DecodeReport`).
See :mod:`runform.io.video` for the conventions (sizes, rotation, errors).
"""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av.error
import numpy as np
from av.video.reformatter import VideoReformatter

from runform.errors import VideoDecodeError
from runform.io.video_geometry import compute_display_size, compute_scaled_size, rotate_image
from runform.io.video_probe import (
    HINT_DAMAGED,
    VideoProperties,
    open_container,
    probe_video,
    select_video_stream,
)

__all__ = ["CorruptFramesWarning", "DecodeReport", "Frame", "iter_frames"]

#: Tolerance when comparing frame times with ``start_s``/``end_s``, seconds.
_TIME_EPS_S = 1e-6


class CorruptFramesWarning(RuntimeWarning):
    """Some frames of a video could not be decoded and were skipped."""


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


@dataclass
class DecodeReport:
    """What went wrong while decoding one pass over a video (counts of frames).

    Filled in by :func:`iter_frames` as it decodes; complete once the
    iteration has ended. It counts every frame the decoder handled, also
    those outside ``start_s``/``end_s``.

    Attributes
    ----------
    decoded
        Frames decoded intact (those dropped for their timestamp included).
    corrupt
        Frames skipped because they could not be decoded, or the decoder
        flagged them as corrupt.
    bad_time
        Intact frames dropped because their timestamp was missing (in a
        stream that has timestamps), repeated, or earlier than the frame
        before: the frame order of a damaged stream cannot be trusted there.
    stop_reason
        The read error that ended decoding before the end of the file, or
        ``None``.
    """

    decoded: int = 0
    corrupt: int = 0
    bad_time: int = 0
    stop_reason: str | None = None

    @property
    def damaged(self) -> bool:
        """Whether any frame was skipped or dropped, or reading stopped early."""
        return bool(self.corrupt or self.bad_time or self.stop_reason is not None)


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------


def _decode_packets(container: Any, stream: Any, report: DecodeReport) -> Iterator[Any]:
    """Yield decoded frames, skipping (and counting) undecodable ones."""
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except (av.error.FFmpegError, OSError) as err:
            report.stop_reason = str(err)
            yield from _flush_decoder(stream, report)
            return
        try:
            frames = packet.decode()
        except av.error.FFmpegError:
            report.corrupt += 1
            continue
        yield from _keep_intact(frames, report)


def _flush_decoder(stream: Any, report: DecodeReport) -> Iterator[Any]:
    """Drain frames still buffered in the decoder after a demuxing error."""
    try:
        frames = stream.decode(None)
    except av.error.FFmpegError:
        return
    yield from _keep_intact(frames, report)


def _keep_intact(frames: Sequence[Any], report: DecodeReport) -> Iterator[Any]:
    """Yield the frames the decoder did not flag as corrupt."""
    for frame in frames:
        if frame.is_corrupt:
            report.corrupt += 1
            continue
        report.decoded += 1
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


def _warn_if_damaged(path: Path, report: DecodeReport) -> None:
    """Emit one :class:`CorruptFramesWarning` summarising decode problems."""
    parts = []
    if report.corrupt:
        parts.append(f"skipped {report.corrupt} corrupt frame(s)")
    if report.bad_time:
        parts.append(
            f"dropped {report.bad_time} frame(s) whose timestamp was missing, "
            "repeated or out of order"
        )
    if report.stop_reason is not None:
        parts.append(f"stopped early at a damaged part of the file ({report.stop_reason})")
    if parts:
        kept = report.decoded - report.bad_time
        warnings.warn(
            f"{path}: {' and '.join(parts)}; the other {kept} frame(s) were decoded normally",
            CorruptFramesWarning,
            stacklevel=3,
        )


def _raise_if_nothing_decoded(props: VideoProperties, report: DecodeReport) -> None:
    """Raise :class:`VideoDecodeError` if not a single frame decoded."""
    if report.decoded > 0:
        return
    if report.corrupt or report.stop_reason:
        got = f"{report.corrupt} undecodable frame(s)"
        if report.stop_reason:
            got += f" and a read error ({report.stop_reason})"
    else:
        got = "no frames at all"
    raise VideoDecodeError(
        f"expected decodable video frames in {props.path} ({props.codec}, "
        f"{props.n_frames} frame(s) stated), got {got}",
        hint=HINT_DAMAGED,
    )


class _Clock:
    """Gives each decoded frame its pts, or rejects it when its timestamp is unusable.

    A stream whose first frame has no timestamp (a raw H.264 elementary
    stream) has none at all: its frames are timed one nominal frame
    ``step`` (ticks) apart. Otherwise a frame without a timestamp, or with
    one not later than the last accepted frame's, is rejected.
    """

    def __init__(self, step: int) -> None:
        self.step = step
        self.last: int | None = None
        self.timed: bool | None = None

    def accept(self, pts: int | None) -> int | None:
        """Return the frame's pts (stream ticks), or ``None`` to drop the frame."""
        if self.timed is None:
            self.timed = pts is not None
        if not self.timed:
            pts = 0 if self.last is None else self.last + self.step
        elif pts is None or (self.last is not None and pts <= self.last):
            return None
        self.last = pts
        return pts


def _generate_frames(
    props: VideoProperties,
    max_side: int | None,
    slowmo: float,
    window: tuple[float | None, float | None],
    report: DecodeReport,
    warn: bool,
) -> Generator[Frame, None, None]:
    """Decode and yield frames; see :func:`iter_frames`."""
    start_s, end_s = window
    time_base = props.time_base
    clock = _Clock(max(1, round(1 / (props.fps * time_base))))
    with open_container(props.path) as container:
        stream = select_video_stream(container, props.path)
        stream.thread_type = "AUTO"
        origin_pts = stream.start_time
        if start_s is not None and start_s > 0 and origin_pts is not None:
            _seek_to(container, stream, origin_pts + math.floor(start_s * slowmo / time_base))
        reformatter = VideoReformatter()
        index = 0
        try:
            for av_frame in _decode_packets(container, stream, report):
                pts = clock.accept(av_frame.pts)
                if pts is None:
                    report.bad_time += 1
                    continue
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
            if warn and report.decoded > 0:
                _warn_if_damaged(props.path, report)
    _raise_if_nothing_decoded(props, report)


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
    report: DecodeReport | None = None,
    warn: bool = True,
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
        (see :func:`~runform.io.video_geometry.compute_scaled_size`). Never
        upscales.
    slowmo
        Slow-motion factor, > 0: 4 for a 120 fps recording played back at
        30 fps. Frame times are divided by it, giving real-world seconds.
    start_s, end_s
        Keep only frames with ``start_s <= time_s < end_s``, in the same
        real-world seconds as :attr:`Frame.time_s`. ``start_s`` seeks to the
        preceding keyframe first, so skipping ahead is cheap.
    report
        If given, filled in with the counts of skipped and dropped frames as
        decoding goes (complete when the iteration ends).
    warn
        Emit a :class:`CorruptFramesWarning` at the end when frames were
        lost; callers that read ``report`` themselves may turn it off.

    Yields
    ------
    Frame
        In strictly increasing ``time_s``; ``index`` counts from 0 among
        yielded frames. Frames whose timestamp is missing, repeated or goes
        backwards (decoder confusion in a damaged stream) are dropped.

    Raises
    ------
    ValueError
        If ``slowmo`` is not > 0, ``max_side`` < 1, or ``end_s < start_s``.
    InputFileError
        Raised immediately (not on first iteration) for a missing, empty or
        non-video file, as :func:`~runform.io.video_probe.probe_video`.
    VideoDecodeError
        After iteration, if not a single frame of the file could be decoded.

    Warns
    -----
    CorruptFramesWarning
        Once, at the end (unless ``warn`` is false), if frames were skipped
        because they could not be decoded, dropped for their timestamp, or
        the file ended in damaged data.
    """
    _check_iter_arguments(max_side, slowmo, start_s, end_s)
    props = probe_video(path)
    report = report if report is not None else DecodeReport()
    return _generate_frames(props, max_side, slowmo, (start_s, end_s), report, warn)
