"""Read the frames of a video at given times (seeking to each, or to a group).

See :mod:`runform.io.video` for the conventions; frames are those of
:func:`~runform.io.video_decode.iter_frames`.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Sequence

import av.error

from runform.io.decode_report import DecodeReport
from runform.io.video_decode import Frame, _check_iter_arguments, _seek_to, iter_frames
from runform.io.video_probe import open_container, probe_video, select_video_stream

#: Tolerance when comparing frame times, s.
_TIME_EPS_S = 1e-6

__all__ = ["SEQUENTIAL_GAP_S", "find_keyframe_time", "read_frame_at", "read_frames_at"]

#: Times closer than this are read in one pass of decoding rather than one seek each, s.
SEQUENTIAL_GAP_S = 2.0


def _gap(times_s: Sequence[float], order: Sequence[int], i: int) -> float:
    return times_s[order[i]] - times_s[order[i - 1]]


def _last_frame_before(
    path: str | os.PathLike[str], time_s: float, max_side: int | None, slowmo: float
) -> Frame | None:
    """Return the last frame decoded before ``time_s`` (s): 2 s back, else from the start."""
    for start_s in (max(0.0, time_s - SEQUENTIAL_GAP_S), None):
        last = None
        for frame in iter_frames(path, max_side=max_side, slowmo=slowmo, start_s=start_s,
                                 end_s=time_s, warn=False):  # fmt: skip
            last = frame
        if last is not None or start_s in (None, 0.0):
            return last
    return None


def _frame_shown_at(
    path: str | os.PathLike[str],
    time_s: float,
    report: DecodeReport,
    max_side: int | None,
    slowmo: float,
) -> Frame:
    """Return the frame shown at ``time_s`` when the frames from there on were lost to damage.

    Raises
    ------
    ValueError
        If decoding never reached ``time_s`` (it is after the end of the file).
    """
    reached = report.last_time_s is not None and report.last_time_s >= time_s - _TIME_EPS_S
    frame = _last_frame_before(path, time_s, max_side, slowmo) if reached else None
    if frame is None:
        raise ValueError(f"no frame at or after {time_s} s in {path}")
    return frame


def read_frames_at(
    path: str | os.PathLike[str],
    times_s: Sequence[float],
    *,
    max_side: int | None = None,
    slowmo: float = 1.0,
    warn: bool = True,
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
    max_side, slowmo, warn
        As :func:`iter_frames`.

    Returns
    -------
    list of Frame
        One frame per time, in the order of ``times_s``. When a damaged
        file lost every frame from a time on (see :func:`iter_frames`), the
        last frame decoded before it (the picture a player keeps showing).

    Raises
    ------
    ValueError
        If a time is after the last frame of the file.
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
        report = DecodeReport()
        frames = iter_frames(path, max_side=max_side, slowmo=slowmo,
                             start_s=times_s[wanted[0]], report=report, warn=warn)  # fmt: skip
        try:
            for frame in frames:
                while wanted and frame.time_s >= times_s[wanted[0]]:
                    found[wanted.pop(0)] = frame
                if not wanted:
                    break
        finally:
            frames.close()
        if wanted:  # every later time shows the same frame
            shown = _frame_shown_at(path, times_s[wanted[0]], report, max_side, slowmo)
            found.update(dict.fromkeys(wanted, shown))
        start = stop
    return [found[i] for i in range(len(times_s))]


def read_frame_at(
    path: str | os.PathLike[str],
    time_s: float,
    *,
    max_side: int | None = None,
    slowmo: float = 1.0,
    warn: bool = True,
) -> Frame:
    """Return the first frame at or after a given time.

    Parameters
    ----------
    path
        Video file.
    time_s
        Real-world time in seconds from the first frame (as
        :attr:`Frame.time_s`).
    max_side, slowmo, warn
        As :func:`iter_frames`.

    Returns
    -------
    Frame
        The first frame with ``frame.time_s >= time_s``; its ``index`` is 0.
        When a damaged file lost every frame from ``time_s`` on, the last
        frame decoded before it.

    Raises
    ------
    ValueError
        If ``time_s`` is after the last frame of the file.
    InputFileError
        As :func:`iter_frames`.
    """
    return read_frames_at(path, [time_s], max_side=max_side, slowmo=slowmo, warn=warn)[0]


def find_keyframe_time(
    path: str | os.PathLike[str], time_s: float, *, slowmo: float = 1.0
) -> float | None:
    """Real-world time of the keyframe a seek to ``time_s`` starts decoding from.

    :func:`iter_frames` with ``start_s`` seeks to the keyframe at or before
    it and decodes every frame from there, dropping those before
    ``start_s``; with a long keyframe interval (ffmpeg's default is 250
    frames) that is seconds of decoding thrown away. A caller free to choose
    where a stretch of frames starts can start it at this keyframe instead.
    The file is probed as :func:`iter_frames` probes it, then only packets
    are read after the seek.

    Parameters
    ----------
    path
        Video file.
    time_s
        Real-world time, seconds from the first frame (as :attr:`Frame.time_s`).
    slowmo
        Slow-motion factor, as :func:`iter_frames`.

    Returns
    -------
    float or None
        The keyframe's real-world time, s; ``None`` when the stream has no
        start time, or the first packet after the seek has no timestamp or
        is not a keyframe (an unindexed or damaged file). Usually at most
        ``time_s``; with B-frames FFmpeg seeks by decoding time, so the
        keyframe's presentation time may come up to a few frames later, and
        a caller should check.

    Raises
    ------
    ValueError
        If ``time_s`` is not finite or ``slowmo`` is not a finite factor > 0.
    InputFileError
        As :func:`iter_frames`, for a file that cannot be opened.
    """
    if not math.isfinite(time_s):
        raise ValueError(f"time_s must be a finite time in seconds, got {time_s}")
    _check_iter_arguments(None, slowmo, None, None)
    props = probe_video(path)
    with open_container(props.path) as container:
        stream = select_video_stream(container, props.path)
        origin = stream.start_time
        if origin is None:
            return None
        _seek_to(container, stream, origin + math.floor(time_s * slowmo / props.time_base))
        with contextlib.suppress(av.error.FFmpegError, OSError):
            for packet in container.demux(stream):
                if packet.pts is None or not packet.is_keyframe:
                    return None  # no timestamp, or the seek did not land on a keyframe: no guess
                return float((packet.pts - origin) * props.time_base) / slowmo
    return None
